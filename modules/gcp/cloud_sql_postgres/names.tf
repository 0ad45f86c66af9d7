# Deployed names: <project>-<environment>-<name> (name_prefix). A Cloud SQL instance id is
# lowercase letters, digits and hyphens, starting with a letter, and "<project id>:<instance>" at
# most 98 characters: with a project id of up to 30, at most 63 here (a longer one is cut and made
# unique by a hash of the whole). The admin password's secret id takes the same name.

locals {
  qualified = "${var.name_prefix}${var.name}"
  instance  = length(local.qualified) <= 63 ? local.qualified : "${trimsuffix(substr(local.qualified, 0, 54), "-")}-${substr(sha1(local.qualified), 0, 8)}"
}
