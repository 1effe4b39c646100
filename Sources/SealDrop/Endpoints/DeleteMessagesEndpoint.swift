/// `POST /delete_messages`: the link's owner deletes some of its messages.
struct DeleteMessagesEndpoint: MessageBatchEndpoint {
    let answer = "Messages deleted"

    func apply(to ids: [Int64], of linkToken: String, in store: Store) throws(StoreError) -> Int {
        try store.deleteMessages(linkToken: linkToken, ids: ids)
    }
}
