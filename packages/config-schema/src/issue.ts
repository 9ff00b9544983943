/** How serious an issue is: errors reject the config, warnings do not. */
export type Severity = 'error' | 'warning'

/** One finding about a config: plain, readonly data with a stable snake_case code. */
export interface Issue {
  /** Stable snake_case identifier, e.g. `unknown_key` or `dhcp_range_outside_subnet`. */
  readonly code: string
  /** `error` rejects the config; `warning` is reported and the config is still accepted. */
  readonly severity: Severity
  /** TOML path of the offending key or value, e.g. `container.web.Container.PublishPort[1]`; `""` is the document. */
  readonly path: string
  /** One sentence for people; it repeats neither the path nor the code. */
  readonly message: string
  /** 1-based line of the key or value in the TOML source; absent for JSON input. */
  readonly line?: number
  /** 1-based column (in UTF-16 code units) of the key or value in the TOML source; absent for JSON input. */
  readonly column?: number
}

/** The outcome of parsing or validating: a value with its warnings, or every error and warning found. */
export type Result<T> =
  | { readonly ok: true; readonly value: T; readonly warnings: readonly Issue[] }
  | { readonly ok: false; readonly errors: readonly Issue[]; readonly warnings: readonly Issue[] }
