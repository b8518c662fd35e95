output "certificates" {
  description = "The certificates bucket (id, arn)"
  value       = module.bucket["certificates"]
}

output "audit" {
  description = "The audit bundles bucket (id, arn)"
  value       = module.bucket["audit"]
}
