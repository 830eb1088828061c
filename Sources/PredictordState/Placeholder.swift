// PredictordState sources.
