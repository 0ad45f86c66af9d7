locals {
  # <project>-<environment>-<name>, cut with a hash of the whole name where "-dead-letter.fifo"
  # would not fit in SQS's 80 characters (letters, digits, hyphens and underscores).
  qualified = "${var.name_prefix}${var.name}"
  physical  = length(local.qualified) <= 63 ? local.qualified : "${trimsuffix(substr(local.qualified, 0, 54), "-")}-${substr(sha1(local.qualified), 0, 8)}"
}
