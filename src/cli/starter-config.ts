/** What `mcpeg init` writes: a working config with every common key shown and explained. */
export const STARTER_CONFIG = `# yaml-language-server: $schema=./node_modules/mcpeg/schema/mcpeg.schema.json
# MCPEG gateway configuration. Check it with: mcpeg validate --config mcpeg.yaml
# Every key and its default: docs/configuration.md

global:
  timeout: 30s            # per-call timeout; a service may override it
  # memory_limit: 512MB   # above this the gateway refuses new calls instead of being killed
  prefix: always          # tool names are <service>__<tool>; also: never, on_collision
  log_level: info

server:
  http:
    host: 127.0.0.1       # loopback only; see docs/security.md before exposing it
    port: 3000
    path: /mcp
  # auth:                 # required before listening beyond loopback (docs/security.md)
  #   mode: api_keys
  #   api_keys:
  #     - { principal: my-client, hash: sha256:…, roles: [reader] }   # mcpeg hash-key makes one

services: {}
  # orders_db:
  #   driver: postgres    # the service type (see: mcpeg validate lists the known ones)
  #   dsn: \${ORDERS_DSN}  # \${VAR}, \${VAR:-default} and \${file:/run/secrets/x} are resolved
  #   timeout: 60s
  #   circuit_breaker: { threshold: 5, timeout: 60s }
  #   bulkhead: { max_concurrent: 16, max_queue: 64 }

plugins: {}
  # my_plugin:
  #   module: ./plugins/my-plugin.js   # an ES module exporting a service type (docs/plugins.md)
  #   config: {}
`;
