# S3: certificate files (content-addressed, CMELEDGER_S3_BUCKET), audit bundles and backups
# (`cmeledger backup` archives), and the access logs of both. Every control is in ../bucket.

module "logs" {
  source                     = "../bucket"
  name                       = "${var.name}-s3-logs"
  kms_key_arn                = var.kms_key_arn
  noncurrent_expiration_days = 7
  current_expiration_days    = var.log_retention_days
}

locals {
  # Certificates are evidence for years (audits look back a whole cycle and more): current
  # files never expire; they move to infrequent access, and old versions go after the window.
  # Audit bundles and backups: kept a set time, then gone.
  kept = {
    certificates = { transition = 90, noncurrent = var.noncurrent_retention_days, current = null }
    audit        = { transition = 30, noncurrent = 30, current = var.audit_retention_days }
  }
}

module "bucket" {
  for_each                   = local.kept
  source                     = "../bucket"
  name                       = "${var.name}-${each.key}"
  kms_key_arn                = var.kms_key_arn
  log_bucket                 = module.logs.id
  transition_days            = each.value.transition
  noncurrent_expiration_days = each.value.noncurrent
  current_expiration_days    = each.value.current
}

# The two buckets were modules of their own before they shared one for_each: state written then
# moves to the new addresses instead of destroying the evidence bucket.
moved {
  from = module.certificates
  to   = module.bucket["certificates"]
}

moved {
  from = module.audit
  to   = module.bucket["audit"]
}
