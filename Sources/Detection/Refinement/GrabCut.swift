import CLIP
import COpenCV
import Imaging

/// OpenCV's GrabCut (Rother et al. 2004) through the shim: given a rectangle that holds an
/// object, colour models of the inside and the outside and a graph cut find which pixels are
/// the object.
///
/// ```swift
/// let mask = try GrabCut.foreground(of: window, in: PixelRect(left: 6, top: 5, right: 60, bottom: 50))
/// let tight = mask.largestComponent()     // the object's extent inside the window
/// ```
///
/// Pre-conditions: `rect` lies inside `image`, both sides ≥ 2 pixels, and leaves some pixels
/// outside it (they seed the background model). Post-condition: the same image and rectangle
/// always give the same mask (the shim seeds OpenCV's RNG).
public enum GrabCut {
    /// Foreground after `iterations` rounds of GrabCut initialised with `rect`.
    /// - Throws: `DetectionError` naming the image size and OpenCV's message when the call fails.
    public static func foreground(of image: RGBImage, in rect: PixelRect, iterations: Int = 3) throws -> ForegroundMask {
        var mask = [UInt8](repeating: 0, count: image.width * image.height)
        var message = [CChar](repeating: 0, count: 256)
        let r = cd_rect(x: Int32(rect.left), y: Int32(rect.top), width: Int32(rect.right - rect.left + 1),
                        height: Int32(rect.bottom - rect.top + 1))
        let status = image.pixels.withUnsafeBufferPointer { pixels in
            mask.withUnsafeMutableBufferPointer { out in
                message.withUnsafeMutableBufferPointer { text in
                    cd_grab_cut(pixels.baseAddress, Int32(image.width), Int32(image.height), r, Int32(iterations),
                                out.baseAddress, text.baseAddress, text.count)
                }
            }
        }
        guard status == CD_OK else {
            let detail = String(shimMessage: message)
            throw DetectionError("GrabCut failed on a \(image.width)x\(image.height) image: \(detail)")
        }
        return ForegroundMask(width: image.width, height: image.height, bits: mask)
    }
}
