// PredictordLogging sources.
