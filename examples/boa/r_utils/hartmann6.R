# The six-dimensional Hartmann function, a standard optimization test
# problem: its minimum is about -3.32237 near
# (0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573).
hartmann6 <- function(x) {
    alpha <- c(1.0, 1.2, 3.0, 3.2)
    A <- matrix(c(10, 3, 17, 3.5, 1.7, 8,
                  0.05, 10, 17, 0.1, 8, 14,
                  3, 3.5, 1.7, 10, 17, 8,
                  17, 8, 0.05, 10, 0.1, 14), nrow = 4, byrow = TRUE)
    P <- 1e-4 * matrix(c(1312, 1696, 5569, 124, 8283, 5886,
                         2329, 4135, 8307, 3736, 1004, 9991,
                         2348, 1451, 3522, 2883, 3047, 6650,
                         4047, 8828, 8732, 5743, 1091, 381), nrow = 4, byrow = TRUE)
    total <- 0
    for (i in 1:4) {
        total <- total + alpha[i] * exp(-sum(A[i, ] * (x - P[i, ])^2))
    }
    -total
}
