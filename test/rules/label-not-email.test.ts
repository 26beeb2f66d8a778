import { ruleTable } from './harness';

const labelSchema = { contact: 'email' } as const;
const c = (code: string) => ({ code, labelSchema });
const mail = (value: string) => c(`FROM alpine:3.20\nLABEL contact="${value}"\n`);

ruleTable('label-not-email', {
  valid: [
    'FROM alpine:3.20\nLABEL contact="payments team"\n',
    mail('team@example.com'),
    mail('first.last+tag@sub.example.co.uk'),
    mail('Payments Team <team@example.com>'),
    c(`FROM alpine:3.20\nLABEL contact='"jane doe"@example.com'\n`),
    mail('ops@[192.0.2.1]'),
    c('FROM alpine:3.20\nARG CONTACT\nLABEL contact=$CONTACT\n'),
  ],
  invalid: [
    { ...mail('payments team'), errors: [{ line: 2, column: 15, endLine: 2, endColumn: 30, message: /^Label `contact` is "payments team", not an email address/ }] },
    { ...mail('team@'), errors: [{ line: 2 }] },
    { ...mail('@example.com'), errors: [{ line: 2 }] },
    { ...mail('team@@example.com'), errors: [{ line: 2 }] },
    { ...mail('jane doe@example.com'), errors: [{ line: 2 }] },
    { ...mail('team@example..com'), errors: [{ line: 2 }] },
    { ...mail('Team <team@example.com'), errors: [{ line: 2 }] },
  ],
});
