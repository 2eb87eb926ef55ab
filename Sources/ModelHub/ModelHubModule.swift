// ModelHub: resolves `ORG/NAME[@REVISION]` through the Hugging Face cache, downloading into it.
import CLIP
