/// `GET /assets/{name}`: the sender page's scripts and style, embedded in the
/// binary. Their names carry a hash of their content, so a browser may keep them
/// for a year without asking again; an unknown name (an old page's file after an
/// upgrade) is 404. No database, and no flood limit: they cost nothing to serve.
struct AssetEndpoint: Endpoint {
    static let prefix = "/assets/"

    func respond(_ context: EndpointContext) throws(APIError) -> HTTPResponse {
        let name = String(context.request.path.dropFirst(Self.prefix.count))
        guard let asset = WebAssets.served[name] else { throw APIError.notFound("Not found") }
        return HTTPResponse(status: .ok, contentType: asset.contentType, body: asset.body,
                            cacheControl: "public, max-age=31536000, immutable")
    }
}
