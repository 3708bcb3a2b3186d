# Writes the model's own input (data.csv) from BOA's parameters.json.
library(jsonlite)
args <- commandArgs(trailingOnly = TRUE)
trial_dir <- args[length(args)]
data <- read_json(file.path(trial_dir, "parameters.json"))
filtered <- read_json(file.path(trial_dir, "filtered_parameters.json"))
stopifnot(length(filtered$metric) == 6)
X <- c(data$x0, data$x1, data$x2, data$x3, data$x4, data$x5)
write.csv(data.frame(X), file.path(trial_dir, "data.csv"), row.names = FALSE)
