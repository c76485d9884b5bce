/**
 * Container images in requests: "image nginx:1.25", "uses the busybox image", "the latest ubuntu
 * image" (→ ubuntu:latest), "(image: \"gcr.io/x/y:blue\")", "a single MySQL instance using the
 * latest image" (→ mysql:latest). Well-known images also give a default container name and the
 * port / data directory their official images use.
 */

export interface ImageFacts {
  /** Port the official image listens on. */
  port?: number;
  /** Where the official image keeps its data (volume mount point). */
  dataDir?: string;
}

/** Well-known images (Docker Official Images' documented defaults). */
export const KNOWN_IMAGES: Record<string, ImageFacts> = {
  nginx: { port: 80, dataDir: '/usr/share/nginx/html' },
  httpd: { port: 80, dataDir: '/usr/local/apache2/htdocs' },
  apache: { port: 80 },
  busybox: {},
  alpine: {},
  ubuntu: {},
  debian: {},
  centos: {},
  fedora: {},
  python: {},
  node: { port: 3000 },
  golang: {},
  openjdk: {},
  redis: { port: 6379, dataDir: '/data' },
  memcached: { port: 11211 },
  mysql: { port: 3306, dataDir: '/var/lib/mysql' },
  mariadb: { port: 3306, dataDir: '/var/lib/mysql' },
  postgres: { port: 5432, dataDir: '/var/lib/postgresql/data' },
  postgresql: { port: 5432, dataDir: '/var/lib/postgresql/data' },
  mongo: { port: 27017, dataDir: '/data/db' },
  mongodb: { port: 27017, dataDir: '/data/db' },
  rabbitmq: { port: 5672, dataDir: '/var/lib/rabbitmq' },
  elasticsearch: { port: 9200, dataDir: '/usr/share/elasticsearch/data' },
  wordpress: { port: 80, dataDir: '/var/www/html' },
  tomcat: { port: 8080 },
  jenkins: { port: 8080, dataDir: '/var/jenkins_home' },
  grafana: { port: 3000, dataDir: '/var/lib/grafana' },
  prometheus: { port: 9090, dataDir: '/prometheus' },
  traefik: { port: 80 },
  haproxy: { port: 80 },
  caddy: { port: 80, dataDir: '/data' },
  zookeeper: { port: 2181, dataDir: '/data' },
  kafka: { port: 9092 },
  cassandra: { port: 9042, dataDir: '/var/lib/cassandra' },
  influxdb: { port: 8086, dataDir: '/var/lib/influxdb2' },
  etcd: { port: 2379 },
  vault: { port: 8200 },
  consul: { port: 8500 },
  minio: { port: 9000, dataDir: '/data' },
  perl: {},
  ruby: {},
  php: { port: 80 },
  fluentd: { port: 24224 },
  'hello-world': {},
  pause: {},
  kuard: { port: 8080 },
  'http-echo': { port: 5678 },
  echoserver: { port: 8080 },
};

/** The repository's last path segment without tag/digest ("gcr.io/a/nginx:1.2" → "nginx"). */
export function imageBase(image: string): string {
  const noDigest = image.split('@')[0];
  const last = noDigest.split('/').pop() ?? noDigest;
  return last.split(':')[0];
}

export function imageFacts(image: string): ImageFacts {
  return KNOWN_IMAGES[imageBase(image).toLowerCase()] ?? {};
}

// An image reference: registry/path:tag, lower-case repository.
const REF = '[a-z0-9][a-z0-9._-]*(?:\\/[a-z0-9][a-z0-9._-]*)*(?::[\\w][\\w.-]*)?(?:@sha256:[a-f0-9]{64})?';
const KNOWN = Object.keys(KNOWN_IMAGES).map((k) => k.replace(/[-]/g, '\\-')).join('|');

/** `strictBare`: a bare unknown word (no registry, tag or quotes) is not trusted as an image name there. */
const PATTERNS: readonly { re: RegExp; latest?: boolean; strictBare: boolean }[] = [
  // image: "x" / image "x" / image x / image of x
  { re: new RegExp(`(?<![\\w/.-])images?(?![\\w/.-])\\s*([:=]|of|is|as|named|called|set to|being)?\\s*(["'\`]?)(${REF})\\2`, 'gi'), strictBare: true },
  // "the latest ubuntu image", "latest nginx image"
  { re: new RegExp(`\\blatest\\s+(?:version\\s+of\\s+)?(?:the\\s+)?()(["'\`]?)(${REF})\\2\\s+(?:docker\\s+|container\\s+)?image`, 'gi'), latest: true, strictBare: false },
  // "the busybox image", "an nginx:1.25 image"
  { re: new RegExp(`()(["'\`]?)(${REF})\\2\\s+(?:docker\\s+|container\\s+)?image\\b`, 'gi'), strictBare: false },
  { re: new RegExp(`\\b(?:deploy|run|launch|start|host|serve|running|deploying)(?:s|ing)?\\s+(?:the\\s+|an?\\s+)?()(["'\`]?)([a-z0-9][a-z0-9._-]*(?:\\/[a-z0-9][a-z0-9._-]*)*:[\\w][\\w.-]*|[a-z0-9][a-z0-9._-]*(?:\\/[a-z0-9][a-z0-9._-]*)+)\\2`, 'gi'), strictBare: false },
  { re: new RegExp(`\\b(?:with|using|uses|use|from|runs?|running|based on|deploy(?:s|ing)?)\\s+(?:the\\s+|an?\\s+)?(?:official\\s+)?()(["'\`]?)((?:${KNOWN})(?::[\\w][\\w.-]*)?)\\2\\b`, 'gi'), strictBare: false },
];

const NOT_IMAGES = new Set(['the', 'a', 'an', 'same', 'this', 'that', 'container', 'docker', 'latest', 'image', 'default', 'its', 'following', 'specified', 'base', 'official', 'and', 'is', 'of', 'should', 'with', 'for', 'to', 'which', 'must', 'will', 'it', 'has', 'named', 'called', 'pull', 'pulls', 'when', 'if', 'only', 'version', 'new', 'custom', 'your', 'my', 'our', 'their', 'given', 'above', 'below', 'one', 'each', 'both', 'any', 'some', 'specific', 'public', 'private', 'local', 'in', 'on', 'from', 'as', 'by', 'be', 'can', 'policy', 'tag', 'registry', 'repository']);

/** The image a piece of text asks for, or undefined. */
export function findImage(text: string): string | undefined {
  for (const { re, latest, strictBare } of PATTERNS) {
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null) {
      const sep = m[1] ?? '';
      const quoted = m[2] !== '';
      const raw = m[3].replace(/[.,;:]+$/, '');
      if (NOT_IMAGES.has(raw.toLowerCase())) continue;
      const known = raw.toLowerCase() in KNOWN_IMAGES;
      const refLike = /[/:]/.test(raw) || /\.[a-z]/.test(raw);
      if (!known && !refLike && !quoted && (strictBare ? sep !== ':' && sep !== '=' : raw.length < 3)) continue;
      const img = refLike ? raw : raw.toLowerCase();
      return latest && !img.includes(':') ? `${img}:latest` : img;
    }
  }
  // Any token shaped like repository:tag ("postgres:16 database", "copies of caddy:2") when the
  // repository is a known image or has a path; "mq:5672" in a URL or a host:port is not an image.
  for (const m of text.matchAll(/(?<![\w/:.@=-])([a-z0-9][a-z0-9._-]*(?:\/[a-z0-9][a-z0-9._-]*)*):([A-Za-z0-9][\w.-]*)(?![\w/:@-])/g)) {
    const repo = m[1];
    const tag = m[2].replace(/[.]+$/, '');
    const known = imageBase(repo).toLowerCase() in KNOWN_IMAGES;
    // Right after "using/with/running/from" any repository:tag is an image ("using gb-frontend:v5").
    const verb = /\b(?:using|with|running|from|uses|runs|use|run|deploy|deploys|image)\s+(?:the\s+)?$/i.test(text.slice(Math.max(0, (m.index ?? 0) - 12), m.index));
    if ((known || repo.includes('/') || verb) && !/^\d{4,5}$/.test(tag)) return `${repo}:${tag}`;
  }
  // "a single MySQL instance using the latest image": the product named right before "instance/server/database".
  const product = new RegExp(`\\b(${KNOWN})\\s+(?:instance|server|database|db|container|pod|cache|broker|web ?server)\\b`, 'i').exec(text);
  if (product) {
    const img = product[1].toLowerCase();
    return /\blatest\s+(?:image|version)\b/i.test(text) ? `${img}:latest` : img;
  }
  return undefined;
}
