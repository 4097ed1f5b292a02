// Stands in for pgpass inside the Lambda bundles (LAMBDA_BUNDLE_ALIASES in infra/bundling.ts).
// pg looks a password up in ~/.pgpass only when it was given none; a Lambda always connects
// with the password from its database secret (secrets-manager-database.ts refuses a secret
// without one), and has no ~/.pgpass. So the lookup finds nothing, as pgpass itself would.
// CommonJS, because pg loads it with require().
module.exports = function noPgpass(_connectionParameters, callback) {
  callback(undefined);
};
