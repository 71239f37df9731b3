import CCurl

/// A transfer libcurl calls back into while `curl_easy_perform` runs (on the performing
/// thread): the body, each header line, and progress.
protocol CurlCallbackTarget: AnyObject {
    /// A piece of the body; returning less than its size stops the transfer.
    func receiveBody(_ chunk: UnsafeRawBufferPointer) -> Int
    func receiveHeaderLine(_ line: UnsafeRawBufferPointer)
    /// False stops the transfer (`CURLE_ABORTED_BY_CALLBACK`).
    func reportProgress(_ progress: TransferProgress) -> Bool
}

/// The user-data pointer of one perform: libcurl's callbacks are plain C functions, so they
/// find their transfer through it. It must outlive `curl_easy_perform`.
final class CurlCallbackBox {
    unowned(unsafe) let target: any CurlCallbackTarget

    init(_ target: any CurlCallbackTarget) { self.target = target }

    /// Points the handle's write, header and progress callbacks at this box; the first failing
    /// option's code, or `CURLE_OK`.
    func install(on handle: UnsafeMutableRawPointer) -> CURLcode {
        let this = Unmanaged.passUnretained(self).toOpaque()
        for code in [
            velocity_curl_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION, curlWriteCallback),
            velocity_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, this),
            velocity_curl_setopt_data_callback(handle, CURLOPT_HEADERFUNCTION, curlHeaderCallback),
            velocity_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, this),
            velocity_curl_setopt_xferinfo_callback(handle, CURLOPT_XFERINFOFUNCTION, curlProgressCallback),
            velocity_curl_setopt_pointer(handle, CURLOPT_XFERINFODATA, this),
            velocity_curl_setopt_long(handle, CURLOPT_NOPROGRESS, 0),
        ] where code != CURLE_OK {
            return code
        }
        return CURLE_OK
    }
}

private func target(_ userdata: UnsafeMutableRawPointer?) -> any CurlCallbackTarget {
    Unmanaged<CurlCallbackBox>.fromOpaque(userdata!).takeUnretainedValue().target
}

private let curlWriteCallback: velocity_curl_data_callback = { data, size, count, userdata in
    target(userdata).receiveBody(UnsafeRawBufferPointer(start: data, count: size * count))
}

private let curlHeaderCallback: velocity_curl_data_callback = { data, size, count, userdata in
    target(userdata).receiveHeaderLine(UnsafeRawBufferPointer(start: data, count: size * count))
    return size * count
}

private let curlProgressCallback: velocity_curl_xferinfo_callback = { userdata, downloadTotal, downloaded, uploadTotal, uploaded in
    let progress = TransferProgress(
        downloaded: Int64(downloaded), downloadTotal: Int64(downloadTotal), uploaded: Int64(uploaded),
        uploadTotal: Int64(uploadTotal))
    // Non-zero aborts the transfer with CURLE_ABORTED_BY_CALLBACK.
    return target(userdata).reportProgress(progress) ? 0 : 1
}
