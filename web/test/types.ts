// Compiled with `tsc --noEmit --strict` by node.test.mjs: the generated declarations must
// type the API the way the demo page and an admin UI use it.
import init, {
  lintPolicy,
  parseRegistryHost,
  validateRegistryForm,
  version,
  type Finding,
  type HostInfo,
  type RuleInfo,
} from '../pkg/pullpass.js';
import initDoctor, { checkIrsa, fixPolicy, generateTrustPolicy, helmValues, rules, type FixResult } from '../pkg/pullpass_doctor.js';

export async function use(): Promise<string[]> {
  await init();
  const out: string[] = [version()];
  const form = validateRegistryForm({ name: 'prod', host: 'public.ecr.aws', kind: 'ecr' }, { existingNames: ['a'] });
  if (form.ok) {
    const findings: Finding[] = form.findings;
    const host: HostInfo | null = form.host;
    const submit: boolean = form.canSubmit;
    out.push(String(findings.length), String(host?.public), String(submit));
    for (const f of findings) {
      const start: number | undefined = f.range?.start;
      const line: number | undefined = f.range?.startLine;
      out.push(f.code, f.severity, f.pointer, String(start), String(line));
      for (const fix of f.fixes) for (const e of fix.edits) out.push(e.replacement, String(e.start));
    }
  } else {
    const error: string = form.error;
    out.push(error);
  }
  const lint = lintPolicy('{}', { kind: 'trust', expectedServiceAccount: 'coder/coder' });
  if (lint.ok) out.push(lint.kind ?? 'none', String(lint.kindDetected), String(lint.summary.errors));
  const host = parseRegistryHost('public.ecr.aws', { kind: 'generic' });
  const bare = lintPolicy('{}');
  if (bare.ok) out.push(String(bare.findings.length));
  if (host.ok) out.push(host.host.kind, String(host.host.dualStack));
  await initDoctor();
  const generated = generateTrustPolicy({ mechanism: 'podIdentity', namespace: 'coder', serviceAccount: 'coder' });
  out.push(generated.ok ? generated.policy : generated.error);
  const helm = helmValues('arn:aws:iam::123456789012:role/x');
  out.push(helm.ok ? helm.values : helm.error);
  const fixed = fixPolicy('{}', { kind: 'trust' }, 'safe');
  if (fixed.ok) {
    const result: FixResult = fixed;
    out.push(result.text, String(result.applied));
  }
  const catalog: RuleInfo[] = rules();
  out.push(catalog[0].family);
  const doctor = checkIrsa({ trustPolicy: '{}', roleArn: null });
  if (doctor.ok) {
    const first: Finding | undefined = doctor.checks.find((c) => c.finding)?.finding;
    out.push(doctor.mode, String(doctor.sound), String(doctor.summary.notChecked), first?.code ?? '');
  } else {
    out.push(doctor.error);
  }
  // @ts-expect-error: a misspelt form field is a type error
  validateRegistryForm({ hots: 'x' });
  // @ts-expect-error: the kind is "trust" | "permissions" | "auto"
  lintPolicy('{}', { kind: 'role' });
  return out;
}
