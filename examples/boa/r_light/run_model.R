# BOA's language-agnostic interface: the trial directory is the first
# argument (templated) and also the last (appended by the runner).
library(jsonlite)
source("../r_utils/hartmann6.R")

args <- commandArgs(trailingOnly = TRUE)
trial_dir <- args[1]
stopifnot(trial_dir == args[length(args)])
data <- read_json(file.path(trial_dir, "parameters.json"))
data_json <- read_json(file.path(trial_dir, "data.json"))
stopifnot(data_json$model_options$input_size == 15)

# x0 and x1 come from the templated command line, the rest from the file
x0 <- as.numeric(args[2])
x1 <- as.numeric(args[3])
stopifnot(abs(x0 - data$x0) < 1e-9, abs(x1 - data$x1) < 1e-9)
X <- c(x0, x1, data$x2, data$x3, data$x4, data$x5)
res <- hartmann6(X)

status <- list(TrialStatus = unbox(if (is.na(res)) "FAILED" else "COMPLETED"))
write(toJSON(status, pretty = TRUE), file.path(trial_dir, "TrialStatus.json"))
if (!is.na(res)) {
    # toJSON writes each number as a one-element list, as in BOA's tests
    write(toJSON(list(metric = res), pretty = TRUE), file.path(trial_dir, "output.json"))
}
