output "endpoint" {
  value = aws_db_instance.this.address
}

output "identifier" {
  value = aws_db_instance.this.identifier
}

output "master_secret_arn" {
  value = aws_db_instance.this.master_user_secret[0].secret_arn
}

output "owner_secret_arn" {
  value = aws_secretsmanager_secret.role["owner"].arn
}

output "app_secret_arn" {
  value = aws_secretsmanager_secret.role["app"].arn
}
