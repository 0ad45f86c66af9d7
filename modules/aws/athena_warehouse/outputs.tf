output "connection" {
  description = "The Glue database, Athena workgroup and data bucket (no secrets)."
  value = {
    database  = aws_glue_catalog_database.this.name
    workgroup = aws_athena_workgroup.this.name
    bucket    = module.data.connection.name
  }
}

output "policy_statements" {
  description = "IAM statements granting exactly: query in this workgroup, read this catalog, use its bucket."
  value = concat(module.data.policy_statements, [
    {
      Effect = "Allow"
      Action = [
        "athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults",
        "athena:StopQueryExecution", "athena:GetWorkGroup",
      ]
      Resource = [aws_athena_workgroup.this.arn]
    },
    {
      Effect = "Allow"
      Action = [
        "glue:GetDatabase", "glue:GetTable", "glue:GetTables", "glue:GetPartition",
        "glue:GetPartitions", "glue:CreateTable", "glue:UpdateTable",
      ]
      Resource = [
        # arn:aws:glue:REGION:ACCOUNT:database/NAME -> arn:aws:glue:REGION:ACCOUNT:catalog (a regex replace,
        # so nothing of the database name is left behind).
        replace(aws_glue_catalog_database.this.arn, "/:database/.*$/", ":catalog"),
        aws_glue_catalog_database.this.arn,
        "${replace(aws_glue_catalog_database.this.arn, ":database/", ":table/")}/*",
      ]
    },
  ])
}
