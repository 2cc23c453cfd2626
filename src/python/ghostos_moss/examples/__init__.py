"""Small MOSS files showing each feature of the package; the reference's tests compile them."""
