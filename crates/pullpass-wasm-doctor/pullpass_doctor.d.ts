/* tslint:disable */
/* eslint-disable */

import type { Failure, Finding, FixResult, GenerateOptions, HelmResult, LintOptions, PolicyResult, RuleInfo } from "./pullpass.js";
export type { Failure, Finding, FixResult, GenerateOptions, HelmResult, LintOptions, PolicyResult, RuleInfo };

/** The artifacts of `checkIrsa` (the flags of `pullpass doctor irsa`), as the tools print them. Absent, null or blank: not given. */
export interface DoctorIrsaInputs {
    /** `kubectl get sa <name> -n <namespace> -o yaml`. */
    serviceAccount?: string | null;
    /** The chart values (`coderd.builtinProviderServiceAccount.annotations`). */
    helmValues?: string | null;
    /** `namespace/name` of the service account, when its YAML is not at hand. */
    expectedServiceAccount?: string | null;
    /** The role's trust policy JSON (or `aws iam get-role` output). */
    trustPolicy?: string | null;
    /** The role ARN (or a bare role name). */
    roleArn?: string | null;
    /** The cluster's OIDC issuer URL. */
    issuer?: string | null;
    /** `aws eks describe-cluster --name <name>`. */
    cluster?: string | null;
    /** `aws iam get-open-id-connect-provider` (or `list-open-id-connect-providers`). */
    oidcProvider?: string | null;
    /** The registry host. */
    registry?: string | null;
    /** `kubectl exec <pod> -- env`. */
    podEnv?: string | null;
    /** The role's permissions policy JSON. */
    permissionsPolicy?: string | null;
    /** The repository pulled from (scopes the permissions check). */
    repository?: string | null;
}

/** The artifacts of `checkPodIdentity` (the flags of `pullpass doctor pod-identity`). Absent, null or blank: not given. */
export interface DoctorPodIdentityInputs {
    /** `aws eks describe-pod-identity-association`. */
    association?: string | null;
    serviceAccount?: string | null;
    expectedServiceAccount?: string | null;
    trustPolicy?: string | null;
    roleArn?: string | null;
    cluster?: string | null;
    registry?: string | null;
    podEnv?: string | null;
    permissionsPolicy?: string | null;
    repository?: string | null;
}

/** A key of the inputs objects (`live`: only the CLI's `--live` can check it). */
export type DoctorInput = keyof DoctorIrsaInputs | keyof DoctorPodIdentityInputs | "live";

export type DoctorStatus = "passed" | "warning" | "failed" | "notChecked";

/** One link of the chain: the same ids, statuses, details and findings as `pullpass doctor … --format json`. */
export interface DoctorCheck {
    /** Stable id: `sa.annotation`, `trust.subject`, `oidc.client-id`, … */
    id: string;
    title: string;
    status: DoctorStatus;
    /** What was verified, the failure's cause, or why the link was not checked. */
    detail: string;
    /** Failed and warning links: rule code, cause (`message`), fix (`help`, `fixes`). */
    finding?: Finding;
    /** The input the finding's range and fixes point into. */
    input?: DoctorInput;
    /** Not checked for want of input: the inputs that would check it. */
    needs: DoctorInput[];
    /** Not checked because another link failed: that check's id (`input.<flag>` for an unreadable input). */
    blockedBy?: string;
}

export interface DoctorSummary { passed: number; warnings: number; failed: number; notChecked: number }

export interface DoctorResult {
    ok: true;
    mode: "irsa" | "podIdentity";
    /** No check failed (warnings and not-checked links allowed). */
    sound: boolean;
    /** In chain order. */
    checks: DoctorCheck[];
    summary: DoctorSummary;
}




/**
 * Checks an IRSA set-up link by link from the pasted artifacts (`pullpass doctor irsa`).
 * Ranges are UTF-16 code units into the input each check names.
 */
export function checkIrsa(inputs: DoctorIrsaInputs): DoctorResult | Failure;

/**
 * Checks an EKS Pod Identity set-up link by link (`pullpass doctor pod-identity`).
 * Ranges are UTF-16 code units into the input each check names.
 */
export function checkPodIdentity(inputs: DoctorPodIdentityInputs): DoctorResult | Failure;

/**
 * Applies the policy's fixes until none is left (the core's fix loop, as `pullpass lint
 * --fix`): `{ ok: true, text, applied }`. `level` is `"safe"` (the default) or `"unsafe"`.
 */
export function fixPolicy(text: string, options?: LintOptions, level?: "safe" | "unsafe"): FixResult | Failure;

/**
 * Generates an IRSA or EKS Pod Identity trust policy that lints clean: `{ ok: true, policy }`,
 * or `{ ok: false, error }` naming the option that is missing or malformed.
 */
export function generateTrustPolicy(options: GenerateOptions): PolicyResult | Failure;

/**
 * The helm values that annotate the platform's service account with `roleArn`, followed by
 * the `kubectl` commands that apply and verify them (as YAML comments).
 */
export function helmValues(roleArn: string): HelmResult | Failure;

/**
 * The rule catalog: every `RF…`, `TP…`, `EP…` and `DR…` rule with its documentation. It lives
 * in this module, which the page loads on demand, because the page itself never shows the
 * docs and they would weigh on the form module that loads with it.
 */
export function rules(): RuleInfo[];

/**
 * The package version (the pullpass version it was built from).
 */
export function version(): string;

export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

export interface InitOutput {
    readonly memory: WebAssembly.Memory;
    readonly __pullpassDoctorStart: () => void;
    readonly checkIrsa: (a: number) => number;
    readonly checkPodIdentity: (a: number) => number;
    readonly fixPolicy: (a: number, b: number, c: number) => number;
    readonly generateTrustPolicy: (a: number) => number;
    readonly helmValues: (a: number) => number;
    readonly rules: () => number;
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
