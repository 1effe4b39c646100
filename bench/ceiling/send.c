/* Ceiling (b): a /send-shaped request done the naive way, with no validation:
 * pick link_token and encrypted_message out of the JSON body by string search,
 * look the link up in `clients` (round trip 1), INSERT into `messages` (round
 * trip 2), answer 201 {"message","id"} as SealDrop does. Each thread has its own
 * MariaDB connection with both statements prepared once.
 *
 * Database settings come from the environment: DB_SOCKET, DB_USER, DB_PASSWORD,
 * DB_NAME (the same values SealDrop's configuration file holds). */
#include "ceiling.h"

#include <mysql.h>

#define MAX_BODY (64 * 1024)

static const char *db_socket, *db_user, *db_password, *db_name;
static pthread_mutex_t connect_lock = PTHREAD_MUTEX_INITIALIZER;

static void reply(FCGX_Request *request, const char *status, const char *json) {
    FCGX_FPrintF(request->out, "Status: %s\r\n" CEILING_HEADERS "Content-Length: %d\r\n\r\n%s",
                 status, (int)strlen(json), json);
}

/* The string value of "key" in body, NUL-terminated in place; no unescaping. */
static char *json_string(char *body, const char *key, unsigned long *length) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\"", key);
    char *at = strstr(body, pattern);
    if (!at) return NULL;
    at = strchr(at + strlen(pattern), '"');
    if (!at) return NULL;
    char *end = strchr(at + 1, '"');
    if (!end) return NULL;
    *length = (unsigned long)(end - at - 1);
    return at + 1;
}

static MYSQL_STMT *prepare(MYSQL *db, const char *sql) {
    MYSQL_STMT *stmt = mysql_stmt_init(db);
    if (!stmt || mysql_stmt_prepare(stmt, sql, strlen(sql)) != 0) {
        fprintf(stderr, "send-ceiling: prepare failed: %s\n", mysql_error(db));
        exit(1);
    }
    return stmt;
}

static void *worker(void *unused) {
    (void)unused;
    mysql_thread_init();
    pthread_mutex_lock(&connect_lock);
    MYSQL *db = mysql_init(NULL);
    mysql_options(db, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    if (!mysql_real_connect(db, NULL, db_user, db_password, db_name, 0, db_socket, 0)) {
        fprintf(stderr, "send-ceiling: cannot connect: %s\n", mysql_error(db));
        exit(1);
    }
    pthread_mutex_unlock(&connect_lock);
    MYSQL_STMT *lookup = prepare(db, "SELECT id FROM clients WHERE link_token = ?");
    MYSQL_STMT *insert = prepare(db,
        "INSERT INTO messages (link_token, encrypted_message, size) VALUES (?, ?, ?)");

    char *body = malloc(MAX_BODY + 1);
    FCGX_Request request;
    FCGX_InitRequest(&request, ceiling_listen_fd, 0);
    while (FCGX_Accept_r(&request) >= 0) {
        const char *length_param = FCGX_GetParam("CONTENT_LENGTH", request.envp);
        long length = length_param ? strtol(length_param, NULL, 10) : 0;
        if (length <= 0 || length > MAX_BODY) {
            reply(&request, length <= 0 ? "400 Bad Request" : "413 Payload Too Large",
                  "{\"error\":\"Missing or oversized body\"}");
            FCGX_Finish_r(&request);
            continue;
        }
        int got = FCGX_GetStr(body, (int)length, request.in);
        body[got < 0 ? 0 : got] = 0;
        unsigned long token_length = 0, message_length = 0;
        char *token = json_string(body, "link_token", &token_length);
        char *message = json_string(body, "encrypted_message", &message_length);
        if (!token || !message) {
            reply(&request, "400 Bad Request", "{\"error\":\"Missing link_token or encrypted_message\"}");
            FCGX_Finish_r(&request);
            continue;
        }
        token[token_length] = 0;
        message[message_length] = 0;

        MYSQL_BIND param[3];
        memset(param, 0, sizeof param);
        param[0].buffer_type = MYSQL_TYPE_STRING;
        param[0].buffer = token;
        param[0].buffer_length = token_length;
        param[0].length = &token_length;
        int found = 0, failed = 0;
        long long client_id = 0;
        MYSQL_BIND result;
        memset(&result, 0, sizeof result);
        result.buffer_type = MYSQL_TYPE_LONGLONG;
        result.buffer = &client_id;
        if (mysql_stmt_bind_param(lookup, param) || mysql_stmt_execute(lookup)
            || mysql_stmt_bind_result(lookup, &result) || mysql_stmt_store_result(lookup)) {
            failed = 1;
        } else {
            found = mysql_stmt_fetch(lookup) == 0;
            mysql_stmt_free_result(lookup);
        }
        if (failed) {
            fprintf(stderr, "send-ceiling: lookup failed: %s\n", mysql_stmt_error(lookup));
            reply(&request, "500 Internal Server Error", "{\"error\":\"Internal server error\"}");
        } else if (!found) {
            reply(&request, "404 Not Found", "{\"error\":\"Invalid link token\"}");
        } else {
            long long size = (long long)message_length;
            param[1].buffer_type = MYSQL_TYPE_STRING;
            param[1].buffer = message;
            param[1].buffer_length = message_length;
            param[1].length = &message_length;
            param[2].buffer_type = MYSQL_TYPE_LONGLONG;
            param[2].buffer = &size;
            if (mysql_stmt_bind_param(insert, param) || mysql_stmt_execute(insert)) {
                fprintf(stderr, "send-ceiling: insert failed: %s\n", mysql_stmt_error(insert));
                reply(&request, "500 Internal Server Error", "{\"error\":\"Internal server error\"}");
            } else {
                char json[96];
                snprintf(json, sizeof json, "{\"message\":\"Message sent successfully\",\"id\":%llu}",
                         (unsigned long long)mysql_stmt_insert_id(insert));
                reply(&request, "201 Created", json);
            }
        }
        FCGX_Finish_r(&request);
    }
    return NULL;
}

int main(int argc, char **argv) {
    db_socket = getenv("DB_SOCKET");
    db_user = getenv("DB_USER");
    db_password = getenv("DB_PASSWORD");
    db_name = getenv("DB_NAME");
    if (!db_socket || !db_user || !db_password || !db_name) {
        fprintf(stderr, "send-ceiling: DB_SOCKET, DB_USER, DB_PASSWORD and DB_NAME must be set\n");
        return 2;
    }
    if (mysql_library_init(0, NULL, NULL) != 0) return 1;
    return ceiling_main(argc, argv, worker);
}
