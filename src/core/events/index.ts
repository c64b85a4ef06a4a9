export { EventBus, type RunEventListener } from './event-bus.js';
export {
  FINAL_STATUSES,
  RUN_EVENT_TYPES,
  RUN_STATUSES,
  isFinalStatus,
  isRunEventType,
  type EventError,
  type EventMessage,
  type EventToolCall,
  type RunEvent,
  type RunEventData,
  type RunEventOf,
  type RunEventType,
  type RunStatus,
  type StopReason,
  type TokenCounts,
} from './run-events.js';
