/** Version facts of one API, exported by each generated codec module. */
export interface ApiDescriptor {
  readonly apiKey: number;
  /** API name without the Request/Response suffix, e.g. "Metadata". */
  readonly name: string;
  readonly minVersion: number;
  readonly maxVersion: number;
  /** First version using compact encodings and tagged fields, or null. */
  readonly firstFlexibleVersion: number | null;
}

/** One API key and the versions of it a broker serves (an ApiVersions entry). */
export interface ApiVersionRange {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}
