/** Generated hostile configs of about `bytes` characters (see large-config.mjs). */
export declare function largeConfig(bytes: number): string
