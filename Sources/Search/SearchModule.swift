// Search: CLIP embeddings of image folders in SQLite, text→image and image→image search.
import CLIP
