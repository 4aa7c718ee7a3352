//! The committed zoo code is exactly what burn-onnx generates from the shared ONNX files (its
//! own test binary: burn-onnx turns on debug logging for the whole process).

#[test]
fn committed_generated_code_is_what_burn_onnx_produces() {
    xtask::import_onnx::run(None, xtask::import_onnx::Mode::Check).unwrap();
}
