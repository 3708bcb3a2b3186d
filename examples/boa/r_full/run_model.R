# The model: reads data.csv, writes model_data.json.
library(jsonlite)
source("../r_utils/hartmann6.R")
args <- commandArgs(trailingOnly = TRUE)
trial_dir <- args[length(args)]
X <- read.csv(file.path(trial_dir, "data.csv"))$X
out <- list(output = unbox(hartmann6(X)))
write(toJSON(out, digits = NA), file.path(trial_dir, "model_data.json"))
