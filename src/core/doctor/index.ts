export { runDoctor, AREA_EXIT_CODES } from './run-doctor.js';
export { DEFAULT_WAL_WARN_BYTES } from './database-checks.js';
export {
  DOCTOR_AREAS,
  type CheckStatus,
  type DoctorArea,
  type DoctorCheck,
  type DoctorOptions,
  type DoctorProgress,
  type DoctorReport,
  type DoctorTarget,
  type SkippedArea,
} from './types.js';
