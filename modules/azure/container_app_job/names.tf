# Deployed names: <project>-<environment>-<name> (name_prefix); one longer than a container app job name allows
# (32 characters) is cut and made unique by a hash of the whole.

locals {
  qualified = "${var.name_prefix}${var.name}"
  physical  = length(local.qualified) <= 32 ? local.qualified : "${trimsuffix(substr(local.qualified, 0, 23), "-")}-${substr(sha1(local.qualified), 0, 8)}"
}
