library(jsonlite)
args <- commandArgs(trailingOnly = TRUE)
trial_dir <- args[length(args)]
data <- read_json(file.path(trial_dir, "model_data.json"))
status <- if (is.na(data$output)) "FAILED" else "COMPLETED"
write(toJSON(list(trial_status = unbox(status))), file.path(trial_dir, "trial_status.json"))
