// PredictordService sources.
