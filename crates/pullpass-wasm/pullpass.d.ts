/* tslint:disable */
/* eslint-disable */

/** `{ ok: false, error }`: the call could not run (the input had the wrong shape). Findings are never errors. */
export interface Failure { ok: false; error: string }

export type Severity = "error" | "warning" | "info";

/** A range in UTF-16 code units (what `String.prototype.slice` takes), with 1-based line/column; columns count UTF-16 code units. */
export interface Range { start: number; end: number; startLine: number; startColumn: number; endLine: number; endColumn: number }

/** Replace `start..end` (UTF-16 code units of the same text the finding points into) with `replacement`. */
export interface Edit { start: number; end: number; replacement: string }

/** A mechanical fix: apply all its edits, back to front. `unsafe` fixes change the meaning: show them, never auto-apply. */
export interface Fix { message: string; applicability: "safe" | "unsafe" | "display"; edits: Edit[] }

/** One finding: the same code, severity and message as `pullpass … --format json`. */
export interface Finding {
    code: string;
    severity: Severity;
    message: string;
    help?: string;
    /** JSON pointer: the form field (`/host`, `/override/region`) or the policy element. */
    pointer: string;
    /** In the field's value (forms) or the policy text; absent for findings about the whole input. */
    range?: Range;
    fixes: Fix[];
}

export interface Summary { errors: number; warnings: number; infos: number }

/** What a registry host is. */
export interface HostInfo {
    /** As it should be stored: lower case, no scheme or path. */
    host: string;
    kind: "privateEcr" | "publicEcr" | "other";
    account: string | null;
    region: string | null;
    partition: string | null;
    fips: boolean;
    dualStack: boolean;
    /** Public ECR: pulls need no credentials. */
    public: boolean;
    /** Account and region come from the vanity-host override. */
    fromOverride: boolean;
}

/** The Add-registry dialog (schemas/registry-form.schema.json). Blank strings mean "not filled in". */
export interface RegistryForm {
    name?: string;
    host?: string;
    kind?: "ecr" | "generic";
    accessKeyId?: string;
    secretAccessKey?: string;
    sessionToken?: string;
    roleArn?: string;
    externalId?: string;
    /** Account and region of a vanity host (CNAME, pull-through proxy). */
    override?: { accountId?: string; region?: string };
    repository?: string;
    tag?: string;
}

export interface FormContext { existingNames?: string[] }

export interface FormResult {
    ok: true;
    findings: Finding[];
    summary: Summary;
    /** What the host parses to; null while the host is blank. */
    host: HostInfo | null;
    /** No error-severity finding: the dialog may submit. */
    canSubmit: boolean;
}

export interface HostOptions {
    /** Absent: ECR for ECR hosts and near misses, generic for anything else (as `pullpass host`). */
    kind?: "ecr" | "generic";
    override?: { accountId?: string; region?: string };
}

export interface HostResult { ok: true; host: HostInfo; findings: Finding[]; summary: Summary }

/** The context flags of `pullpass lint`. */
export interface LintOptions {
    kind?: "trust" | "permissions" | "auto";
    /** `namespace/name`. */
    expectedServiceAccount?: string;
    expectedIssuer?: string;
    expectedProviderArn?: string;
    roleArn?: string;
    registryHost?: string;
    repository?: string;
}

export interface LintResult {
    ok: true;
    /** null when the document could be read as neither. */
    kind: "trust" | "permissions" | null;
    /** The kind was detected, not given. */
    kindDetected: boolean;
    findings: Finding[];
    summary: Summary;
}

/** What `fixPolicy` returns: the policy with every fix the level allows applied (the core's fix loop, as `pullpass lint --fix`). */
export interface FixResult {
    ok: true;
    text: string;
    /** How many fixes were applied. */
    applied: number;
}

/** Options of `generateTrustPolicy` (the flags of `pullpass trust-policy`). */
export interface GenerateOptions {
    /** Default "irsa". */
    mechanism?: "irsa" | "podIdentity";
    /** IRSA: the cluster's OIDC issuer URL (then `account` is needed) … */
    issuer?: string;
    /** … or the IAM OIDC provider ARN (gives account and partition). */
    providerArn?: string;
    /** IRSA: the 12-digit account that holds the IAM OIDC provider. */
    account?: string;
    /** IRSA: `aws`, `aws-cn`, …; derived from the issuer's region when absent. */
    partition?: string;
    namespace: string;
    serviceAccount: string;
    /** Pod Identity: restrict to one cluster. */
    clusterArn?: string;
}

export interface PolicyResult { ok: true; policy: string }

/** `values.yaml` for the platform's helm chart, with the `kubectl` checks as comments. */
export interface HelmResult { ok: true; values: string }

export interface RuleInfo {
    code: string;
    name: string;
    family: "registry-form" | "trust-policy" | "permissions-policy" | "doctor";
    severity: Severity;
    summary: string;
    /** Markdown: What it does / Why is this bad / Example / Fix. */
    docs: string;
}



/**
 * Lints an IAM trust or permissions policy (the kind is detected unless `options.kind` says).
 * Ranges are UTF-16 code units into `text`.
 */
export function lintPolicy(text: string, options?: LintOptions): LintResult | Failure;

/**
 * Parses a registry host: private ECR (account, region, partition, FIPS, dual-stack), public
 * ECR, or another registry, with the host rules' findings.
 */
export function parseRegistryHost(host: string, options?: HostOptions): HostResult | Failure;

/**
 * Validates the Add-registry form: every `RF…` rule, field by field, and what the host parses
 * to. `context.existingNames` enables the duplicate-name rule.
 */
export function validateRegistryForm(form: RegistryForm, context?: FormContext): FormResult | Failure;

/**
 * The package version (the pullpass version it was built from).
 */
export function version(): string;

export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

export interface InitOutput {
    readonly memory: WebAssembly.Memory;
    readonly __pullpassStart: () => void;
    readonly lintPolicy: (a: number, b: number) => number;
    readonly parseRegistryHost: (a: number, b: number) => number;
    readonly validateRegistryForm: (a: number, b: number) => number;
    readonly version: () => [number, number];
    readonly __wbindgen_malloc: (a: number, b: number) => number;
    readonly __wbindgen_realloc: (a: number, b: number, c: number, d: number) => number;
    readonly __wbindgen_free: (a: number, b: number, c: number) => void;
    readonly __wbindgen_exn_store: (a: number) => void;
    readonly __wbindgen_start: () => void;
}

export type SyncInitInput = BufferSource | WebAssembly.Module;

/**
 * Instantiates the given `module`, which can either be bytes or
 * a precompiled `WebAssembly.Module`.
 *
 * @param {{ module: SyncInitInput }} module - Passing `SyncInitInput` directly is deprecated.
 *
 * @returns {InitOutput}
 */
export function initSync(module: { module: SyncInitInput } | SyncInitInput): InitOutput;

/**
 * If `module_or_path` is {RequestInfo} or {URL}, makes a request and
 * for everything else, calls `WebAssembly.instantiate` directly.
 *
 * @param {{ module_or_path: InitInput | Promise<InitInput> }} module_or_path - Passing `InitInput` directly is deprecated.
 *
 * @returns {Promise<InitOutput>}
 */
export default function __wbg_init (module_or_path?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>): Promise<InitOutput>;
