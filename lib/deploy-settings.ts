/**
 * The settings only the deployment reads (schedule, alarms, function size, stack): the second half of the settings
 * table, in the shape of lambda/settings.ts, whose run settings the function and the CLI share. docs/deploy.md's
 * table is rendered from both (scripts/settings-table.ts).
 */
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ConfigError } from '../lambda/core/config';
import { integerIn, type SettingSpec } from '../lambda/setting-spec';
import { ACCOUNT_ID, AWS_REGION_NAME } from '../lambda/core/cluster-target';

const number = (raw: string): unknown => (raw.trim() === '' ? raw : Number(raw));
const boolean = (raw: string): unknown => (raw === 'true' ? true : raw === 'false' ? false : raw);
const text = (raw: string): unknown => raw.trim();

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;
const DASHBOARD_NAME = /^[A-Za-z0-9_-]{1,255}$/;
/** The retentions CloudWatch Logs offers, in days. */
const LOG_RETENTION_DAYS = Object.values(RetentionDays).filter((v): v is number => typeof v === 'number');

function optional(key: string, pattern: RegExp, hint: string) {
  return (value: unknown): unknown => {
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || !pattern.test(value)) throw new ConfigError(key, value, hint);
    return value;
  };
}

function flag(key: string, fallback: boolean, hint = '') {
  return (value: unknown): boolean => {
    if (typeof value !== 'boolean') throw new ConfigError(key, value, `Use true or false (default ${fallback}).${hint ? ` ${hint}` : ''}`);
    return value;
  };
}

export const DEPLOY_SETTINGS = {
  stackName: {
    key: 'stackName',
    default: 'NetRecon',
    doc: "The stack's name (CDK context only); also the prefix of every alarm name.",
    fromText: text,
    check: optional('stackName', /^[A-Za-z][A-Za-z0-9-]{0,127}$/, 'A stack name is 1-128 letters, digits or hyphens, starting with a letter.'),
  },
  account: {
    key: 'account',
    default: undefined,
    defaultDoc: 'none',
    doc: 'Pins the stack to an account (CDK context only); without `account` and `region` it is environment-agnostic.',
    fromText: text,
    check: optional('account', ACCOUNT_ID, 'An AWS account id is 12 digits.'),
  },
  region: {
    key: 'region',
    default: undefined,
    defaultDoc: 'none',
    doc: 'Pins the stack to a region (CDK context only).',
    fromText: text,
    check: optional('region', AWS_REGION_NAME, 'Use a region name, e.g. eu-west-1.'),
  },
  scheduleMinutes: {
    key: 'scheduleMinutes',
    propAliases: ['scheduleInterval'],
    default: 5,
    doc: 'How often the function runs, in whole minutes (the heartbeat alarm keeps this at most 8 hours).',
    fromText: number,
    check: (value: unknown) => integerIn('scheduleMinutes', value, 1, 1440, 'minutes', 5),
  },
  alarmEmail: {
    key: 'alarmEmail',
    default: undefined,
    defaultDoc: 'none',
    doc: 'Creates an SNS topic with this email subscribed (confirm the email AWS sends).',
    fromText: text,
    check: optional('alarmEmail', EMAIL, 'Use one email address, e.g. oncall@example.com.'),
  },
  alarmTopicArn: {
    key: 'alarmTopicArn',
    default: undefined,
    defaultDoc: 'none',
    doc: "An existing topic instead (the construct's `alarmTopic`; its policy must let CloudWatch publish, as SNS's default policy does).",
    fromText: text,
    check: optional('alarmTopicArn', TOPIC_ARN, 'Give an SNS topic ARN, e.g. arn:aws:sns:eu-west-1:123456789012:oncall.'),
  },
  minAgentCoveragePercent: {
    key: 'minAgentCoveragePercent',
    default: 100,
    doc: "The coverage alarm fires below this percentage of the nodes that ran for the whole period having agent data.",
    fromText: number,
    check: (value: unknown) => {
      if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 100) {
        throw new ConfigError('minAgentCoveragePercent', value, 'Use a percentage above 0 and at most 100 (default 100).');
      }
      return value;
    },
  },
  residualAlarm: {
    key: 'residualAlarm',
    default: true,
    doc: 'Alarm on the Container Insights residual; `false` when the agent collects ENIs only.',
    fromText: boolean,
    check: flag('residualAlarm', true),
  },
  alarmDatapoints: {
    key: 'alarmDatapoints',
    default: 3,
    doc: "M of the data alarms' M-of-N (N is derived from the data's lateness).",
    fromText: number,
    check: (value: unknown) => integerIn('alarmDatapoints', value, 1, 100, 'periods', 3),
  },
  logRetentionDays: {
    key: 'logRetentionDays',
    propAliases: ['logRetention'],
    default: RetentionDays.ONE_MONTH,
    doc: "The function's log retention, a CloudWatch Logs value (1, 3, 5, 7, 14, 30, 60, 90, …).",
    fromText: number,
    check: (value: unknown) => {
      if (typeof value !== 'number' || !LOG_RETENTION_DAYS.includes(value)) {
        throw new ConfigError('logRetentionDays', value, `Use one of ${LOG_RETENTION_DAYS.join(', ')} days.`);
      }
      return value;
    },
  },
  memorySize: {
    key: 'memorySize',
    default: 2048,
    doc: 'Function memory in MB (sized in docs/deploy.md, "Size").',
    fromText: number,
    check: (value: unknown) => integerIn('memorySize', value, 128, 10_240, 'MB (what Lambda allows)', 2048),
  },
  timeoutSeconds: {
    key: 'timeoutSeconds',
    propAliases: ['timeout'],
    default: 900,
    doc: 'Function timeout (a run cut short is retried from the high-water mark).',
    fromText: number,
    check: (value: unknown) => integerIn('timeoutSeconds', value, 1, 900, 'seconds', 900),
  },
  dashboardName: {
    key: 'dashboardName',
    default: undefined,
    defaultDoc: 'generated',
    doc: "The dashboard's name.",
    fromText: text,
    check: optional('dashboardName', DASHBOARD_NAME, 'Use 1-255 letters, digits, hyphens or underscores.'),
  },
  nag: {
    key: 'nag',
    default: false,
    doc: "Run cdk-nag's AwsSolutions and Serverless packs during synth (CDK context only); synth fails on any unacknowledged finding.",
    fromText: boolean,
    check: flag('nag', false),
  },
} satisfies Record<string, SettingSpec>;

export type DeploySettingKey = keyof typeof DEPLOY_SETTINGS;
