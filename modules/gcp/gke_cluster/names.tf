# Deployed names: <project>-<environment>-<name> (name_prefix); one longer than a GKE cluster name allows
# (40 characters) is cut and made unique by a hash of the whole.

locals {
  qualified = "${var.name_prefix}${var.name}"
  physical  = length(local.qualified) <= 40 ? local.qualified : "${trimsuffix(substr(local.qualified, 0, 31), "-")}-${substr(sha1(local.qualified), 0, 8)}"
  # service account ids: 6-30 characters
  account_id = length("${local.qualified}-nodes") <= 30 ? "${local.qualified}-nodes" : "${trimsuffix(substr(local.qualified, 0, 21), "-")}-${substr(sha1("${local.qualified}-nodes"), 0, 8)}"
}
