/**
 * The core's replay API (`import { reconcile } from 'netrecon/core'`): validate a capture (docs/capture-format.md)
 * you parsed yourself and reconcile it, with no AWS call, file or clock; what `netrecon reconcile --from` does
 * between reading the file and printing the report. The report's fields: lambda/core/model.ts, docs/report.md.
 */
export { reconcile, type ReconcileOptions } from './reconcile';
export { makeReconcileConfig, parseThresholds, DEFAULT_THRESHOLDS, DEFAULT_PERIOD_SECONDS, ConfigError, type ReconcileConfig, type ReconcileConfigInput, type Thresholds } from './config';
export { buildRules, classifyInterface, parseRuleOverrides, InterfaceRuleError, type InterfaceClass, type InterfaceRule, type InterfaceRuleOverrides } from './interface-rules';
export { SOURCE_PROFILES, DEFAULT_SOURCE_PROFILE, type SourceProfile } from './source-profile';
export { NetReconError } from './errors';
export type * from './model';
export { validateCapture, CaptureFormatError, type ValidatedCapture } from '../capture/validate';
export type { Capture, CaptureNode, CaptureSeries } from '../capture/capture';
