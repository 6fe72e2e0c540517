/**
 * Bad inputs both layers refuse. The chart owns the shape of its values (it must refuse them
 * when used alone, with helm --set); the program owns the `dify:` keys and refuses the same
 * input before anything in the cluster changes, naming its own key. Each case gives the
 * stack config and the equivalent chart values, and the message part each layer prints.
 * test/chart/bad-inputs.test.ts runs every case against parseConfig and `helm template`.
 */

export interface BadInput {
  what: string;
  /** dify: config (key without prefix) over a valid stack config. */
  config: Record<string, string>;
  /** The part of the program's message a user relies on. */
  program: string;
  /** helm --set values over a valid set of chart values. */
  set: Record<string, string>;
  /** The part of the chart's message a user relies on. */
  chart: string;
}

/** A valid stack config the cases are laid over (sub-path mode with a base-path web image). */
export const validConfig: Record<string, string> = {
  webImage: "registry.example.local/dify/dify-web:1.11.4-dify",
};

const s3 = { s3Bucket: "dify-files", s3AccessKey: "test-s3a", s3SecretKey: "test-s3s" };
const s3Set = {
  "dify.fileStorage.s3.enabled": "true",
  "dify.fileStorage.s3.bucket": "dify-files",
  "dify.fileStorage.s3.accessKey": "test-s3a",
  "dify.fileStorage.s3.secretKey": "test-s3s",
};

export const badInputs: BadInput[] = [
  {
    what: "a path without leading /",
    config: { path: "dify" },
    program: 'dify:path "dify" must start with /',
    set: { "expose.path": "dify" },
    chart: 'expose.path "dify" must start with /',
  },
  {
    what: "a path with a trailing /",
    config: { path: "/dify/" },
    program: 'dify:path "/dify/" must not end with / (use /dify)',
    set: { "expose.path": "/dify/" },
    chart: 'expose.path "/dify/" must not end with / (use /dify)',
  },
  {
    what: "a path with a character outside the URL path set",
    config: { path: "/dify?x" },
    program: 'dify:path "/dify?x" may contain only letters, digits and . _ ~ - /',
    set: { "expose.path": "/dify?x" },
    chart: 'expose.path "/dify?x" may contain only letters, digits and . _ ~ - /',
  },
  {
    what: "a path with an empty segment",
    config: { path: "/a//b" },
    program: 'dify:path "/a//b" must not contain an empty segment (//)',
    set: { "expose.path": "/a//b" },
    chart: 'expose.path "/a//b" must not contain //',
  },
  {
    what: "a URL scheme other than http(s)",
    config: { scheme: "ftp" },
    program: 'dify:scheme must be http or https (got "ftp")',
    set: { "external.scheme": "ftp" },
    chart: 'external.scheme must be http or https (got "ftp")',
  },
  {
    what: "an external host with a scheme",
    config: { externalHost: "https://dify.example.com" },
    program: 'dify:externalHost "https://dify.example.com" must not contain a scheme',
    set: { "external.host": "https://dify.example.com" },
    chart: 'external.host "https://dify.example.com" must not contain a scheme',
  },
  {
    what: "an external host with a path",
    config: { externalHost: "dify.example.com/dify" },
    program: 'dify:externalHost "dify.example.com/dify" must not contain a path',
    set: { "external.host": "dify.example.com/dify" },
    chart: 'external.host "dify.example.com/dify" must not contain a path',
  },
  {
    what: "a registry with a scheme",
    config: { imageRegistry: "https://registry.example.local" },
    program: 'dify:imageRegistry "https://registry.example.local" must not contain a scheme',
    set: { "global.imageRegistry": "https://registry.example.local" },
    chart: 'global.imageRegistry "https://registry.example.local" must not contain a scheme',
  },
  {
    what: "a Weaviate older than 1.27",
    config: { weaviateTag: "1.26.0" },
    program: 'dify:weaviateTag "1.26.0" is too old or not a version: Dify 1.11 needs Weaviate >= 1.27',
    set: { "weaviate.image.tag": "1.26.0" },
    chart: 'weaviate.image.tag "1.26.0" is too old: Dify 1.11 needs Weaviate >= 1.27',
  },
  {
    what: "a Weaviate tag that is not a version",
    config: { weaviateTag: "latest" },
    program: 'dify:weaviateTag "latest" is too old or not a version',
    set: { "weaviate.image.tag": "latest" },
    chart: 'weaviate.image.tag "latest" must be a version such as 1.27.0',
  },
  {
    what: "a volume size that is not a quantity",
    config: { postgresSize: "20GB" },
    program: 'dify:postgresSize "20GB" is not a Kubernetes quantity',
    set: { "postgresql.persistence.size": "20GB" },
    chart: 'postgresql.persistence.size "20GB" is not a Kubernetes quantity',
  },
  {
    what: "a Weaviate volume size that is not a quantity",
    config: { weaviateSize: "lots" },
    program: 'dify:weaviateSize "lots" is not a Kubernetes quantity',
    set: { "weaviate.persistence.size": "lots" },
    chart: 'weaviate.persistence.size "lots" is not a Kubernetes quantity',
  },
  {
    what: "an unknown files access mode",
    config: { filesAccessMode: "ReadWriteAll" },
    program: 'dify:filesAccessMode must be ReadWriteOnce or ReadWriteMany (got "ReadWriteAll")',
    set: { "dify.fileStorage.accessMode": "ReadWriteAll" },
    chart: 'dify.fileStorage.accessMode must be ReadWriteOnce or ReadWriteMany (got "ReadWriteAll")',
  },
  {
    what: "an S3 endpoint that is not a URL",
    config: { ...s3, s3Endpoint: "objects.example.local" },
    program: 'dify:s3Endpoint "objects.example.local" must be an http(s) URL',
    set: { ...s3Set, "dify.fileStorage.s3.endpoint": "objects.example.local" },
    chart:
      'dify.fileStorage.s3.endpoint "objects.example.local" must be a URL starting with http:// or https://',
  },
  {
    what: "an unknown S3 addressing style",
    config: { ...s3, s3Endpoint: "https://objects.example.local", s3AddressStyle: "dns" },
    program: 'dify:s3AddressStyle must be path or virtual (got "dns")',
    set: {
      ...s3Set,
      "dify.fileStorage.s3.endpoint": "https://objects.example.local",
      "dify.fileStorage.s3.addressStyle": "dns",
    },
    chart: 'dify.fileStorage.s3.addressStyle must be path or virtual (got "dns")',
  },
  {
    what: "an external PostgreSQL port out of range",
    config: { postgresHost: "pg.example.local", postgresPassword: "test-pg", postgresPort: "70000" },
    program: 'dify:postgresPort must be a whole number from 1 to 65535 (got "70000")',
    set: {
      "postgresql.enabled": "false",
      "postgresql.external.host": "pg.example.local",
      "postgresql.external.port": "70000",
    },
    chart: 'postgresql.external.port "70000" must be a port number (1-65535)',
  },
  {
    what: "a setup password longer than Dify accepts",
    config: { initPassword: "a".repeat(31) },
    program: "dify:initPassword has 31 characters; Dify accepts at most 30",
    set: { "secrets.initPassword": "a".repeat(31) },
    chart: "secrets.initPassword has 31 characters; Dify accepts at most 30",
  },
  ...(
    [
      ["a space", "test pw"],
      ["a tab", "test\tpw"],
      ["a leading quote", "'test-pw"],
    ] as const
  ).map(([what, pw]) => ({
    what: `a Postgres password with ${what} (plugin daemon 0.5.2's key=value DSN)`,
    config: { postgresPassword: pw },
    program:
      "dify:postgresPassword must not contain spaces, tabs or other whitespace or a backslash, nor start with '",
    set: { "postgresql.auth.password": pw },
    chart:
      "postgresql.auth.password must not contain spaces, tabs or other whitespace or a backslash, " +
      "nor start with '",
  })),
  {
    what: "a plugin package size that is no byte size",
    config: { pluginMaxPackageSize: "50MB" },
    program: 'dify:pluginMaxPackageSize "50MB" must be a size in bytes or with Ki, Mi or Gi',
    set: { "dify.pluginMaxPackageSize": "50MB" },
    chart: 'dify.pluginMaxPackageSize "50MB" must be a size in bytes or with Ki, Mi or Gi',
  },
  {
    what: "an unknown sizing profile",
    config: { sizing: "large" },
    program: 'dify:sizing must be small or medium (got "large")',
    set: { "global.sizing": "large" },
    chart: 'global.sizing must be small or medium (got "large")',
  },
  {
    what: "a public path the root redirects would send to itself",
    config: { path: "/signin" },
    program: "dify:path /signin is one of the root paths dify:rootRedirects sends to the public path",
    set: { "expose.path": "/signin", "images.web.basePath": "/signin" },
    chart: "expose.path /signin is one of the root paths expose.rootRedirects sends to the public path",
  },
  {
    what: "a Redis password that breaks the Celery broker URL",
    config: { redisPassword: "p@ss/word" },
    program:
      "dify:redisPassword may contain only letters, digits and . _ ~ - (it is part of the Celery broker URL)",
    set: { "redis.auth.password": "p@ss/word" },
    chart:
      "redis.auth.password may contain only letters, digits and . _ ~ - (it is part of the Celery broker URL)",
  },
  {
    what: "an admin password Dify refuses (unattended first run)",
    config: { adminEmail: "admin@example.com", adminPassword: "onlyletters" },
    program: "dify:adminPassword must have at least 8 characters with letters and digits",
    set: { "bootstrap.adminEmail": "admin@example.com", "secrets.adminPassword": "onlyletters" },
    chart: "secrets.adminPassword must have at least 8 characters with letters and digits",
  },
  {
    what: "a plugin id that is not <author>/<name>",
    config: { adminEmail: "admin@example.com", plugins: "OpenAI" },
    program: 'dify:plugins "OpenAI" is not a marketplace plugin id',
    set: {
      "bootstrap.adminEmail": "admin@example.com",
      "secrets.adminPassword": "test-adminpw-4711",
      "bootstrap.plugins": "{OpenAI}",
    },
    chart: 'bootstrap.plugins: "OpenAI" is not a marketplace plugin id',
  },
  {
    what: "a plugin package path instead of a URL",
    config: { adminEmail: "admin@example.com", pluginPackageUrls: "/tmp/openai.difypkg" },
    program: 'dify:pluginPackageUrls "/tmp/openai.difypkg" is not an http(s) URL',
    set: {
      "bootstrap.adminEmail": "admin@example.com",
      "secrets.adminPassword": "test-adminpw-4711",
      "bootstrap.pluginPackageUrls": "{/tmp/openai.difypkg}",
    },
    chart: 'bootstrap.pluginPackageUrls: "/tmp/openai.difypkg" is not an http(s) URL',
  },
];
