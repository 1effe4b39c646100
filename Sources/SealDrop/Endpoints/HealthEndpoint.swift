/// `GET /health`: 200 while the database answers, else 503 so a load
/// balancer or monitor takes this responder out.
struct HealthEndpoint: Endpoint {
    func respond(_ context: EndpointContext) throws -> HTTPResponse {
        try context.store.checkHealth()
        var json = JSONWriter()
        json.beginObject()
        json.field("status", "healthy")
        json.field("timestamp", Timestamp.now().iso8601)
        json.endObject()
        return HTTPResponse(status: .ok, json: json.bytes)
    }
}
