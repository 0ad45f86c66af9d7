# Serverless SQL access cannot be granted through the Azure API: a database, its users and their
# permissions are T-SQL. grant_sql (root output database_grants) is what a member of the Entra
# administrator group runs once after apply, each statement as its own batch, in order, connected
# to the workspace's serverless endpoint (database master): the first creates the warehouse
# database the adapter connects to (Database=<warehouse>; CREATE DATABASE must be a batch of its
# own, so on a second run it reports that the database exists), each following one switches to it
# and lets one identity in (idempotent). Serverless SQL takes Entra principals by display name only (no
# WITH OBJECT_ID), so each workload's managed identity is named; the Spark jobs' identity is the
# workspace's own, named after the workspace.
#
# The permissions are those of the adapter's statements (infrar/providers/azure/data.py), no more:
# - query, list_tables, get_schema: SELECT (db_datareader); tables over files are read with the
#   caller's own Entra identity, and a JSON table is a view over OPENROWSET, which needs
#   ADMINISTER DATABASE BULK OPERATIONS;
# - create_table: CREATE EXTERNAL DATA SOURCE / FILE FORMAT (ALTER ANY EXTERNAL DATA SOURCE,
#   ALTER ANY EXTERNAL FILE FORMAT), CREATE EXTERNAL TABLE (CREATE TABLE) or CREATE VIEW, in
#   schema dbo (ALTER on it);
# - drop_table: DROP EXTERNAL TABLE / VIEW (ALTER on schema dbo).

locals {
  sql_database = var.name
  # identity display name -> who it is (a workload, or the warehouse's own jobs)
  sql_identities = merge(
    { for workload, identity in var.client_identities : identity => "workload ${workload}" },
    { (local.workspace) = "the Spark jobs (workspace identity)" },
  )
  sql_permissions = join(", ", [
    "CREATE TABLE", "CREATE VIEW", "ALTER ANY EXTERNAL DATA SOURCE", "ALTER ANY EXTERNAL FILE FORMAT",
    "ADMINISTER DATABASE BULK OPERATIONS",
  ])
  grant_sql = concat(
    ["CREATE DATABASE [${local.sql_database}] COLLATE Latin1_General_100_CI_AS_SC_UTF8;"],
    [for identity, who in local.sql_identities : join(" ", [
      "USE [${local.sql_database}];",
      "/* ${who} */",
      "IF DATABASE_PRINCIPAL_ID(N'${identity}') IS NULL CREATE USER [${identity}] FROM EXTERNAL PROVIDER;",
      "ALTER ROLE db_datareader ADD MEMBER [${identity}];",
      "GRANT ${local.sql_permissions} TO [${identity}];",
      "GRANT ALTER ON SCHEMA::dbo TO [${identity}];",
    ])],
  )
}
