/**
 * The catalogue of `dify:` stack config keys: the one place a key, its default, its section
 * and its description are written. parseConfig (components/config.ts) takes defaults from it,
 * and Pulumi.yaml's `config:` block and docs/config.md's key tables are generated from it by
 * scripts/config-reference.ts (a unit test fails when they are out of date).
 *
 * A new key is one row here (then `npm run config-reference`) plus what reads it.
 * The type follows the default (string, boolean, integer); the Secrets section holds exactly
 * the keys set with `pulumi config set --secret` (their default is always empty).
 */

export type ConfigSection =
  "images" | "exposure" | "storage" | "dataStores" | "features" | "firstRun" | "secrets";

/** Section titles: Pulumi.yaml comment, docs/config.md heading. */
export const sectionTitles: Record<ConfigSection, { en: string; ja: string }> = {
  images: { en: "Images", ja: "イメージ" },
  exposure: { en: "Exposure", ja: "公開" },
  storage: { en: "Storage", ja: "ストレージ" },
  dataStores: { en: "Data stores", ja: "データストア" },
  features: { en: "Features", ja: "機能" },
  firstRun: { en: "Unattended first run", ja: "無人の初回セットアップ" },
  secrets: { en: "Secrets (set with --secret)", ja: "秘密値（--secret で設定）" },
};

export interface ConfigKey {
  key: string;
  type: "string" | "boolean" | "integer";
  /** The project default Pulumi.yaml declares; "" means unset (the description says what applies then). */
  default: string | boolean | number;
  secret: boolean;
  section: ConfigSection;
  /** Description (Pulumi.yaml, docs/config.md). */
  doc: string;
  /** Japanese description (docs/config.md). */
  ja: string;
}

type Row = Pick<ConfigKey, "key" | "default" | "doc" | "ja">;

function section(name: ConfigSection, rows: Row[]): ConfigKey[] {
  return rows.map((r) => ({
    ...r,
    type: typeof r.default === "boolean" ? "boolean" : typeof r.default === "number" ? "integer" : "string",
    secret: name === "secrets",
    section: name,
  }));
}

export const configCatalogue: readonly ConfigKey[] = [
  ...section("images", [
    {
      key: "imageTag",
      default: "1.11.4",
      doc: "Dify version of the api, worker, beat and web images (original --image-tag). Companion image tags come from the version matrix in components/config.ts; a version not in it needs them set explicitly.",
      ja: "api/worker/beat/web の Dify バージョン（元の --image-tag）。関連イメージのタグは components/config.ts のバージョン表から決まり、表にないバージョンでは明示指定が必要。",
    },
    {
      key: "imageRepository",
      default: "langgenius/dify",
      doc: "Repository prefix of the Dify images; -api and -web are appended.",
      ja: "Dify イメージのリポジトリ接頭辞（-api / -web を付加）。",
    },
    {
      key: "pluginDaemonTag",
      default: "",
      doc: "Plugin daemon tag. Overrides the version matrix; required for a Dify version not in it.",
      ja: "プラグインデーモンのタグ。バージョン表より優先。表にないバージョンでは必須。",
    },
    {
      key: "sandboxTag",
      default: "",
      doc: "Sandbox tag. Overrides the version matrix; required for a Dify version not in it.",
      ja: "サンドボックスのタグ。バージョン表より優先。表にないバージョンでは必須。",
    },
    {
      key: "weaviateTag",
      default: "",
      doc: "Weaviate tag (>= 1.27). Overrides the version matrix; required for a Dify version not in it.",
      ja: "Weaviate のタグ（1.27 以上）。バージョン表より優先。表にないバージョンでは必須。",
    },
    {
      key: "postgresTag",
      default: "",
      doc: "PostgreSQL tag (keep the major version of existing data). Overrides the version matrix; required for a Dify version not in it.",
      ja: "PostgreSQL のタグ（既存データのメジャーバージョンを維持）。バージョン表より優先。表にないバージョンでは必須。",
    },
    {
      key: "redisTag",
      default: "",
      doc: "Redis tag. Overrides the version matrix; required for a Dify version not in it.",
      ja: "Redis のタグ。バージョン表より優先。表にないバージョンでは必須。",
    },
    {
      key: "ssrfProxyTag",
      default: "",
      doc: "Squid tag of the SSRF proxy. Overrides the version matrix; required for a Dify version not in it when ssrfProxy is true.",
      ja: "SSRF プロキシ（Squid）のタグ。バージョン表より優先。表にないバージョンで ssrfProxy=true のとき必須。",
    },
    {
      key: "pluginDaemonImage",
      default: "langgenius/dify-plugin-daemon",
      doc: "Plugin daemon repository.",
      ja: "プラグインデーモンのリポジトリ。",
    },
    {
      key: "sandboxImage",
      default: "langgenius/dify-sandbox",
      doc: "Sandbox repository.",
      ja: "サンドボックスのリポジトリ。",
    },
    {
      key: "weaviateImage",
      default: "semitechnologies/weaviate",
      doc: "Weaviate repository.",
      ja: "Weaviate のリポジトリ。",
    },
    {
      key: "postgresImage",
      default: "postgres",
      doc: "PostgreSQL repository.",
      ja: "PostgreSQL のリポジトリ。",
    },
    { key: "redisImage", default: "redis", doc: "Redis repository.", ja: "Redis のリポジトリ。" },
    {
      key: "ssrfProxyImage",
      default: "ubuntu/squid",
      doc: "Squid repository of the SSRF proxy.",
      ja: "SSRF プロキシ（Squid）のリポジトリ。",
    },
    {
      key: "webImage",
      default: "",
      doc: "repository:tag of a dify-web image built for dify:path (scripts/build-web-image.sh). Required unless dify:path is /.",
      ja: "dify:path 用にビルドした dify-web イメージ（repository:tag、scripts/build-web-image.sh）。dify:path が / 以外なら必須。",
    },
    {
      key: "webImageBasePath",
      default: "",
      doc: "Base path the web image was built with (NEXT_PUBLIC_BASE_PATH). Empty: dify:path. Must equal dify:path.",
      ja: "web イメージのビルド時のベースパス（NEXT_PUBLIC_BASE_PATH）。空なら dify:path。dify:path と一致が必要。",
    },
    {
      key: "imageRegistry",
      default: "",
      doc: "Registry (and project) prepended to every image, e.g. registry.example.local/dify (air-gapped clusters).",
      ja: "全イメージの前に付けるレジストリ（とプロジェクト）。例 registry.example.local/dify（エアギャップ環境）。",
    },
    {
      key: "imagePullSecrets",
      default: "",
      doc: "Comma-separated names of existing docker-registry Secrets in the namespace.",
      ja: "名前空間内の既存 docker-registry Secret 名（カンマ区切り）。",
    },
  ]),
  ...section("exposure", [
    {
      key: "namespace",
      default: "dify",
      doc: "Namespace of the release. Created by Helm if missing; never deleted by pulumi destroy (it keeps the PVCs and the credentials Secret).",
      ja: "リリースの名前空間。無ければ Helm が作成し、pulumi destroy では削除しない（PVC と認証情報 Secret を保持）。",
    },
    {
      key: "releaseName",
      default: "dify",
      doc: "Helm release name (at most 53 characters). Object names derive from it (dify -> dify-api, ...).",
      ja: "Helm リリース名（53 文字以内）。オブジェクト名の元になる（dify → dify-api など）。",
    },
    {
      key: "path",
      default: "/dify",
      doc: "Public path: /dify (sub-path, needs dify:webImage) or / (root, stock web image).",
      ja: "公開パス：/dify（サブパス、dify:webImage が必要）または /（ルート、公式 web イメージ）。",
    },
    {
      key: "ingressClassName",
      default: "kommander-traefik",
      doc: "IngressClass of the platform Traefik; must exist.",
      ja: "プラットフォーム Traefik の IngressClass。存在が必要。",
    },
    {
      key: "entrypoints",
      default: "websecure",
      doc: "Comma-separated Traefik entrypoints the Ingresses are pinned to.",
      ja: "Ingress を固定する Traefik エントリポイント（カンマ区切り）。",
    },
    {
      key: "tls",
      default: true,
      doc: "Adds router.tls=true (Traefik terminates TLS with its own certificate).",
      ja: "router.tls=true を付与（Traefik が自身の証明書で TLS 終端）。",
    },
    {
      key: "scheme",
      default: "https",
      doc: "Scheme of the public URL: https or http.",
      ja: "公開 URL のスキーム：https または http。",
    },
    {
      key: "externalHost",
      default: "",
      doc: "Host browsers use (DNS name or IP, no scheme/port/path) instead of the Traefik LoadBalancer address (original --external-host). Traefik is still discovered: its namespace is what the NetworkPolicies admit.",
      ja: "Traefik の LoadBalancer アドレスの代わりにブラウザが使うホスト（DNS 名または IP。スキーム・ポート・パスなし。元の --external-host）。Traefik の検出は引き続き行う（NetworkPolicy が許可する名前空間のため）。",
    },
    {
      key: "traefikNamespace",
      default: "",
      doc: "Namespace of the Traefik LoadBalancer Service, overriding discovery (original --traefik-namespace). Set together with traefikServiceName.",
      ja: "Traefik の LoadBalancer Service の名前空間。自動検出より優先（元の --traefik-namespace）。traefikServiceName と併せて指定。",
    },
    {
      key: "traefikServiceName",
      default: "",
      doc: "Name of the Traefik LoadBalancer Service, overriding discovery (original --traefik-service-name).",
      ja: "Traefik の LoadBalancer Service 名。自動検出より優先（元の --traefik-service-name）。",
    },
    {
      key: "addressTimeoutSeconds",
      default: 300,
      doc: "Seconds to wait for MetalLB to assign the Traefik address (1-3600).",
      ja: "MetalLB が Traefik にアドレスを割り当てるまでの待ち時間（秒、1〜3600）。",
    },
    {
      key: "helmTimeoutSeconds",
      default: 900,
      doc: "Seconds the release may take to become ready, migration included (60-7200).",
      ja: "リリースが Ready になるまでの上限（秒、マイグレーション含む、60〜7200）。",
    },
    {
      key: "rootRedirects",
      default: true,
      doc: "Sub-path mode: redirects exactly /signin and /account, where the 1.11.4 web navigates without its base path, to <path>/signin and <path>/account (302); nothing else at the root is claimed. Turn it off if another app on the host owns those paths.",
      ja: "サブパスモード: web がベースパスなしで遷移する /signin と /account だけを完全一致で <path>/signin・<path>/account へ 302 リダイレクトする（それ以外のルートは使わない）。同じホストの別アプリがそのパスを使う場合は false。",
    },
  ]),
  ...section("storage", [
    {
      key: "storageClass",
      default: "nutanix-volume",
      doc: "StorageClass of every PVC unless overridden.",
      ja: "各 PVC の StorageClass（個別指定がなければ）。",
    },
    {
      key: "weaviateStorageClass",
      default: "",
      doc: "StorageClass of the Weaviate PVC. Empty: storageClass.",
      ja: "Weaviate PVC の StorageClass。空なら storageClass。",
    },
    {
      key: "filesStorageClass",
      default: "",
      doc: "StorageClass of the uploaded-files PVC (a Nutanix Files class for ReadWriteMany). Empty: storageClass.",
      ja: "アップロードファイル PVC の StorageClass（ReadWriteMany なら Nutanix Files のクラス）。空なら storageClass。",
    },
    {
      key: "filesAccessMode",
      default: "ReadWriteOnce",
      doc: "Files PVC access mode: ReadWriteOnce (api and worker on one node) or ReadWriteMany (needs an RWX class).",
      ja: "ファイル PVC のアクセスモード：ReadWriteOnce（api と worker を同一ノードに配置）または ReadWriteMany（RWX クラスが必要）。",
    },
    {
      key: "postgresSize",
      default: "20Gi",
      doc: "PostgreSQL volume (original POSTGRES_SIZE).",
      ja: "PostgreSQL ボリューム（元の POSTGRES_SIZE）。",
    },
    {
      key: "redisSize",
      default: "8Gi",
      doc: "Redis volume (original REDIS_SIZE).",
      ja: "Redis ボリューム（元の REDIS_SIZE）。",
    },
    {
      key: "weaviateSize",
      default: "50Gi",
      doc: "Weaviate volume (original WEAVIATE_SIZE).",
      ja: "Weaviate ボリューム（元の WEAVIATE_SIZE）。",
    },
    {
      key: "difyFilesSize",
      default: "20Gi",
      doc: "Uploaded-files volume (original DIFY_FILES_SIZE).",
      ja: "アップロードファイル用ボリューム（元の DIFY_FILES_SIZE）。",
    },
    {
      key: "pluginDaemonSize",
      default: "10Gi",
      doc: "Installed-plugins volume of the plugin daemon (not in the original spec).",
      ja: "プラグインデーモンのインストール済みプラグイン用ボリューム（元の仕様にはない）。",
    },
  ]),
  ...section("dataStores", [
    {
      key: "postgresUser",
      default: "dify",
      doc: "PostgreSQL user (original POSTGRES_USERNAME).",
      ja: "PostgreSQL ユーザー（元の POSTGRES_USERNAME）。",
    },
    {
      key: "postgresDatabase",
      default: "dify",
      doc: "PostgreSQL database (original POSTGRES_DATABASE).",
      ja: "PostgreSQL データベース（元の POSTGRES_DATABASE）。",
    },
    {
      key: "postgresHost",
      default: "",
      doc: "External PostgreSQL host; the release then deploys no PostgreSQL and dify:postgresPassword is required.",
      ja: "外部 PostgreSQL のホスト。指定時はリリースに PostgreSQL を含めず、dify:postgresPassword が必須。",
    },
    {
      key: "postgresPort",
      default: "",
      doc: "External PostgreSQL port. Empty: 5432.",
      ja: "外部 PostgreSQL のポート。空なら 5432。",
    },
    {
      key: "redisHost",
      default: "",
      doc: "External Redis host; the release then deploys no Redis (password: dify:redisPassword, else none).",
      ja: "外部 Redis のホスト。指定時はリリースに Redis を含めない（パスワードは dify:redisPassword、未指定ならなし）。",
    },
    {
      key: "redisPort",
      default: "",
      doc: "External Redis port. Empty: 6379.",
      ja: "外部 Redis のポート。空なら 6379。",
    },
    {
      key: "s3Endpoint",
      default: "",
      doc: "S3-compatible endpoint URL (Nutanix Objects) for uploaded files instead of a PVC.",
      ja: "アップロードファイルを PVC の代わりに置く S3 互換エンドポイント URL（Nutanix Objects）。",
    },
    {
      key: "s3Bucket",
      default: "",
      doc: "S3 bucket for uploaded files.",
      ja: "アップロードファイル用の S3 バケット。",
    },
    {
      key: "s3Region",
      default: "",
      doc: "S3 region. Empty: us-east-1.",
      ja: "S3 リージョン。空なら us-east-1。",
    },
    {
      key: "s3AddressStyle",
      default: "",
      doc: "S3 addressing: path or virtual. Empty: path.",
      ja: "S3 のアドレス形式：path または virtual。空なら path。",
    },
  ]),
  ...section("features", [
    {
      key: "marketplaceEnabled",
      default: true,
      doc: "Plugin marketplace (needs internet access from the cluster).",
      ja: "プラグインマーケットプレイス（クラスタからのインターネット接続が必要）。",
    },
    {
      key: "pipMirrorUrl",
      default: "",
      doc: "PIP mirror URL for plugin dependencies (air-gapped clusters).",
      ja: "プラグイン依存パッケージ用の PIP ミラー URL（エアギャップ環境）。",
    },
    {
      key: "networkPolicy",
      default: true,
      doc: "NetworkPolicies restricting each component to its clients.",
      ja: "各コンポーネントへの通信を必要な相手に限定する NetworkPolicy。",
    },
    {
      key: "ssrfProxy",
      default: true,
      doc: "Routes the sandbox's and the api's outbound HTTP on behalf of users through a Squid proxy that refuses internal addresses; the sandbox can reach only the proxy and DNS. false: opt-out, with a warning.",
      ja: "sandbox と、api がユーザーの代わりに送る外向き HTTP を、内部アドレスを拒否する Squid プロキシ経由にする（sandbox が通信できるのはプロキシと DNS のみ）。false は明示的な無効化で、警告が出ます。",
    },
    {
      key: "pluginMaxPackageSize",
      default: "",
      doc: "Largest plugin package the api, worker and plugin daemon accept: bytes, or a number with Ki, Mi or Gi (e.g. 100Mi). Empty: 50Mi, as upstream's docker-compose (the api alone would allow 15 MiB).",
      ja: "api・worker・plugin daemon が受け付けるプラグインパッケージの上限（バイト数、または Ki / Mi / Gi 付き。例 100Mi）。空なら上流の docker-compose と同じ 50Mi（api 単体の既定は 15 MiB）。",
    },
    {
      key: "internalFilesUrl",
      default: true,
      doc: "INTERNAL_FILES_URL = the api Service: plugins and tools fetch files inside the cluster, but images Dify cuts out of PDF/Word files into knowledge chunks point there and show broken in browsers. false: every file URL is the public one (plugins must then reach it and trust its certificate). See docs/chart.md.",
      ja: "INTERNAL_FILES_URL を api の Service にする。プラグインとツールはクラスタ内でファイルを取得できるが、PDF/Word からナレッジチャンクに切り出した画像はそのアドレスを指しブラウザでは表示されない。false なら全ファイル URL が公開 URL（プラグイン側がそこへ到達し証明書を信頼する必要がある）。docs/chart.md 参照。",
    },
    {
      key: "sizing",
      default: "",
      doc: "Resource profile: small (total requests within 2 vCPU / 4 GiB) or medium (tens of users, many plugins). Empty: small. The table is in docs/chart.md.",
      ja: "リソースプロファイル: small（リクエスト合計 2 vCPU / 4 GiB 以内）または medium（数十人規模・多数のプラグイン）。空なら small。表は docs/chart.md。",
    },
  ]),
  ...section("firstRun", [
    {
      key: "adminEmail",
      default: "",
      doc: "Turns the unattended first run on: a Job creates this admin if Dify's setup is not finished, installs dify:plugins and sets the OpenAI credential (replaces the browser setup of the original spec). Empty: browser setup with INIT_PASSWORD.",
      ja: "無人の初回セットアップを有効にする。セットアップ未完了ならこの管理者を作成し、dify:plugins を導入し、OpenAI の資格情報を設定する（元の仕様のブラウザでのセットアップを置き換え）。空ならブラウザで INIT_PASSWORD を使ってセットアップ。",
    },
    {
      key: "adminName",
      default: "admin",
      doc: "Display name of that admin (at most 30 characters).",
      ja: "その管理者の表示名（30 文字以内）。",
    },
    {
      key: "plugins",
      default: "",
      doc: "Comma-separated marketplace plugin ids installed when missing. Empty: langgenius/openai when dify:openaiApiKey is set. The api needs egress to the marketplace.",
      ja: "未導入なら導入するマーケットプレイスのプラグイン ID（カンマ区切り）。空なら dify:openaiApiKey 設定時に langgenius/openai。api からマーケットプレイスへの外向き通信が必要。",
    },
    {
      key: "pluginPackageUrls",
      default: "",
      doc: "Comma-separated http(s) URLs of .difypkg files reachable from the cluster, installed when missing (the air-gapped path).",
      ja: "クラスタから届く .difypkg の http(s) URL（カンマ区切り）。未導入なら導入（エアギャップ環境向け）。",
    },
    {
      key: "openaiApiBase",
      default: "",
      doc: "Base URL of an OpenAI-compatible gateway for the OpenAI credential, as in the plugin's API Base field (the plugin adds /v1). Empty: api.openai.com. Needs dify:openaiApiKey.",
      ja: "OpenAI 資格情報用の OpenAI 互換ゲートウェイのベース URL。プラグインの API Base 欄と同じ形（/v1 はプラグインが付ける）。空なら api.openai.com。dify:openaiApiKey が必要。",
    },
  ]),
  ...section("secrets", [
    {
      key: "secretKey",
      default: "",
      doc: "SECRET_KEY (original DIFY_SECRET_KEY). Empty: kept from the existing Secret, else generated (32 random bytes, hex). Never change it on a live install.",
      ja: "SECRET_KEY（元の DIFY_SECRET_KEY）。空なら既存 Secret の値、無ければ自動生成（32 バイト乱数の hex）。稼働中に変更しないこと。",
    },
    {
      key: "initPassword",
      default: "",
      doc: "First-admin setup password (INIT_PASSWORD, at most 30 characters). Empty: kept or generated (20 letters and digits); read it with pulumi stack output --show-secrets initPassword.",
      ja: "初期管理者セットアップ用パスワード（INIT_PASSWORD、30 文字以内）。空なら既存値または自動生成（英数字 20 文字）。pulumi stack output --show-secrets initPassword で確認。",
    },
    {
      key: "postgresPassword",
      default: "",
      doc: "PostgreSQL password (original POSTGRES_PASSWORD). Empty: kept or generated. Required with postgresHost.",
      ja: "PostgreSQL パスワード（元の POSTGRES_PASSWORD）。空なら既存値または自動生成。postgresHost 指定時は必須。",
    },
    {
      key: "redisPassword",
      default: "",
      doc: "Redis password (letters, digits, . _ ~ -). Empty: kept or generated; none for an external Redis.",
      ja: "Redis パスワード（英数字と . _ ~ -）。空なら既存値または自動生成。外部 Redis ではパスワードなし。",
    },
    {
      key: "pluginDaemonKey",
      default: "",
      doc: "Key the api uses to call the plugin daemon. Empty: kept or generated.",
      ja: "api がプラグインデーモンを呼ぶ鍵。空なら既存値または自動生成。",
    },
    {
      key: "pluginInnerApiKey",
      default: "",
      doc: "Key the plugin daemon uses to call the api. Empty: kept or generated.",
      ja: "プラグインデーモンが api を呼ぶ鍵。空なら既存値または自動生成。",
    },
    {
      key: "sandboxApiKey",
      default: "",
      doc: "Key of the code sandbox. Empty: kept or generated.",
      ja: "コードサンドボックスの鍵。空なら既存値または自動生成。",
    },
    {
      key: "weaviateApiKey",
      default: "",
      doc: "Weaviate API key. Empty: kept or generated.",
      ja: "Weaviate の API キー。空なら既存値または自動生成。",
    },
    {
      key: "openaiApiKey",
      default: "",
      doc: "Original --openai-api-key. With dify:adminEmail: the OpenAI model provider credential (set when absent or changed). Without: stored in the release Secret only (OPENAI_API_KEY); enter the key in Settings > Model Provider.",
      ja: "元の --openai-api-key。dify:adminEmail があれば OpenAI モデルプロバイダの資格情報として設定（未設定か変更時のみ）。なければリリースの Secret（OPENAI_API_KEY）に保管するだけで、設定 > モデルプロバイダで入力する。",
    },
    {
      key: "adminPassword",
      default: "",
      doc: "Password of the admin of dify:adminEmail (at least 8 characters with letters and digits). Empty: kept from the Secret, else generated (24 letters and digits); read it with pulumi stack output --show-secrets adminPassword. Never changes an existing admin's password.",
      ja: "dify:adminEmail の管理者パスワード（英字と数字を含む 8 文字以上）。空なら既存 Secret の値、無ければ生成（英数字 24 文字）。pulumi stack output --show-secrets adminPassword で確認。既存管理者のパスワードは変えない。",
    },
    {
      key: "s3AccessKey",
      default: "",
      doc: "S3 access key of the bucket.",
      ja: "バケットの S3 アクセスキー。",
    },
    {
      key: "s3SecretKey",
      default: "",
      doc: "S3 secret key of the bucket.",
      ja: "バケットの S3 シークレットキー。",
    },
  ]),
];

const byKey = new Map(configCatalogue.map((k) => [k.key, k]));

/** The catalogue row of a key (throws for a key the catalogue lacks: a programming error). */
export function configKey(key: string): ConfigKey {
  const k = byKey.get(key);
  if (!k) throw new Error(`dify:${key} is not in components/config-catalogue.ts`);
  return k;
}

/** All keys the program reads. */
export const knownKeys: readonly string[] = configCatalogue.map((k) => k.key);

/** Keys holding secrets: set them with `pulumi config set --secret`; never printed. */
export const secretConfigKeys: readonly string[] = configCatalogue.filter((k) => k.secret).map((k) => k.key);
