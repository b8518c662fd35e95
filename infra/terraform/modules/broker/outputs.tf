output "secret_arn" {
  value = aws_secretsmanager_secret.broker.arn
}

output "broker_name" {
  value = aws_mq_broker.this.broker_name
}
