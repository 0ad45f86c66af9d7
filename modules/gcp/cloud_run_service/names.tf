# Deployed names: <project>-<environment>-<name> (name_prefix); one longer than a Cloud Run service name allows
# (49 characters) is cut and made unique by a hash of the whole.

locals {
  qualified = "${var.name_prefix}${var.name}"
  physical  = length(local.qualified) <= 49 ? local.qualified : "${trimsuffix(substr(local.qualified, 0, 40), "-")}-${substr(sha1(local.qualified), 0, 8)}"
  # service account ids: 6-30 characters
  account_id = length("${local.qualified}-run") <= 30 ? "${local.qualified}-run" : "${trimsuffix(substr(local.qualified, 0, 21), "-")}-${substr(sha1("${local.qualified}-run"), 0, 8)}"
}
