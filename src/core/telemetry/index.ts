export { startRunTracer, tracesUrl, type RunTracer, type RunTracerOptions } from './run-tracer.js';
