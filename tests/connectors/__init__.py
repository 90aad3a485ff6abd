# A package, so that its test modules (test_amazon, test_alipay, ...) do not clash with the
# parsers' modules of the same names under pytest's default import mode.
