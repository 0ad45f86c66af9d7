output "connection" {
  description = "Where the database is and which secret holds its password (the ARN, never the password)."
  value = {
    host       = aws_db_instance.this.address
    port       = tostring(aws_db_instance.this.port)
    database   = aws_db_instance.this.db_name
    username   = aws_db_instance.this.username
    secret_arn = aws_db_instance.this.master_user_secret[0].secret_arn
  }
}

output "policy_statements" {
  description = "IAM statements every workload that uses the database gets: none (each gets its own role's, client_policy_statements)."
  value       = []
}

output "client_policy_statements" {
  description = "By workload (client_roles): IAM authentication as its own database role, and nothing else (not the master secret)."
  value = { for role in var.client_roles : role => [
    {
      Effect   = "Allow"
      Action   = ["rds-db:connect"]
      Resource = ["arn:${data.aws_partition.current.partition}:rds-db:*:${data.aws_caller_identity.current.account_id}:dbuser:${aws_db_instance.this.resource_id}/${role}"]
    },
  ] }
}

output "client_environment" {
  description = "By workload (client_roles): the database role it signs in as (PGUSER)."
  value       = { for role in var.client_roles : role => { PGUSER = role } }
}

output "grant_sql" {
  description = "SQL the administrator (the master user, password in the RDS-managed secret) runs once: one IAM-authenticated role per workload, owning nothing but allowed to use the database."
  value       = [for role in var.client_roles : "CREATE ROLE \"${role}\" LOGIN; GRANT rds_iam TO \"${role}\"; GRANT CONNECT, TEMPORARY ON DATABASE \"${aws_db_instance.this.db_name}\" TO \"${role}\"; GRANT USAGE, CREATE ON SCHEMA public TO \"${role}\";"]
}

output "environment" {
  description = "libpq's variables for the workloads that use this database; each signs in as its own role (client_environment) with an RDS IAM token (RDS_IAM_AUTH), no password. PGDATABASE_<NAME> is the database's name on the server."
  value = {
    (local.database_variable) = aws_db_instance.this.db_name
    PGHOST                    = aws_db_instance.this.address
    PGPORT                    = tostring(aws_db_instance.this.port)
    PGSSLMODE                 = "require"
    RDS_IAM_AUTH              = "true"
  }
}

output "secret_environment" {
  description = "Variables whose values are secrets: none (each workload signs in with an RDS IAM token)."
  value       = {}
}

output "client_port" {
  description = "TCP port the workloads connect to (a constant, so it is known when planning)."
  value       = 5432
}
