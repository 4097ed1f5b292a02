// Stands in for pg's libpq binding (pg/lib/native) inside the bundles (pgWithoutNative in
// infra/esbuild-plugins.mjs). stepmigrate connects with pg's JavaScript client only; pg asks
// for the binding when `pg.native` is read, and treats MODULE_NOT_FOUND as "not installed",
// which is what a bundle without it is. CommonJS, because pg loads it with require().
const notBundled = new Error(
  "pg-native is not part of stepmigrate's bundles: they connect with pg's JavaScript client (unset NODE_PG_FORCE_NATIVE)",
);
notBundled.code = 'MODULE_NOT_FOUND';
throw notBundled;
