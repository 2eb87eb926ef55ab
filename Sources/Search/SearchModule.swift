// Search: CLIP embeddings of image folders in SQLite (GRDB), text→image and image→image
// search, contact sheets. Entry points: `ImageIndex` (the database and `update(folder:…)`),
// `ImageSearcher` (queries), `EmbeddingMatrix` (the in-memory scoring), `ContactSheet`.
import CLIP
