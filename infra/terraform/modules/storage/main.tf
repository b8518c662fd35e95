# S3: certificate files (content-addressed, CMELEDGER_S3_BUCKET), audit bundles and backups
# (`cmeledger backup` archives), and the access logs of both. Every control is in ../bucket.

module "logs" {
  source                     = "../bucket"
  name                       = "${var.name}-s3-logs"
  kms_key_arn                = var.kms_key_arn
  noncurrent_expiration_days = 7
  current_expiration_days    = var.log_retention_days
}

# Certificates are evidence for years (audits look back a whole cycle and more): current files
# never expire; they move to infrequent access, and old versions go after the window.
module "certificates" {
  source                     = "../bucket"
  name                       = "${var.name}-certificates"
  kms_key_arn                = var.kms_key_arn
  log_bucket                 = module.logs.id
  transition_days            = 90
  noncurrent_expiration_days = var.noncurrent_retention_days
}

# Audit bundles and backups: kept a set time, then gone.
module "audit" {
  source                     = "../bucket"
  name                       = "${var.name}-audit"
  kms_key_arn                = var.kms_key_arn
  log_bucket                 = module.logs.id
  transition_days            = 30
  noncurrent_expiration_days = 30
  current_expiration_days    = var.audit_retention_days
}
