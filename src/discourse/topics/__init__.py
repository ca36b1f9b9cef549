"""Topic models over passages (BERTopic on the shared MiniLM embeddings).

Heavy imports (bertopic, umap, hdbscan) happen inside the functions that fit."""

from discourse.topics.analyse import TopicResult, analyse_topics
from discourse.topics.fit import OUTLIER, TopicModel, short_label

__all__ = ["OUTLIER", "TopicModel", "TopicResult", "analyse_topics", "short_label"]
