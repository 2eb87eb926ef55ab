// Detection: text-defined object detection on top of the CLIP module.
// Pipeline: proposals (selective search + sliding windows) → square context crops → CLIP image
// embeddings → scaled cosine against class/negative/background prompts → softmax → NMS.
import CLIP
