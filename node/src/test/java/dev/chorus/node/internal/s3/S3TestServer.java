package dev.chorus.node.internal.s3;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.domain.Blob;
import org.jclouds.blobstore.domain.BlobMetadata;
import org.jclouds.blobstore.domain.MultipartPart;
import org.jclouds.blobstore.domain.MultipartUpload;
import org.jclouds.blobstore.options.GetOptions;
import org.jclouds.blobstore.options.PutOptions;
import org.jclouds.blobstore.util.ForwardingBlobStore;
import org.jclouds.http.HttpResponse;
import org.jclouds.http.HttpResponseException;
import org.jclouds.io.Payload;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * A real S3 API server for tests: S3Proxy (the S3 REST API with SigV4 authentication) on a free
 * loopback port, over jclouds' in-memory blob store. One access key is valid. Around the store: a
 * record of the writes it received (single PUTs, multipart uploads and their parts) and a bucket
 * policy that denies every request on the buckets named in {@link #denyAll} (403), as a bucket
 * policy on S3 does for credentials without the permissions.
 */
public final class S3TestServer implements AutoCloseable {
  public static final String ACCESS_KEY = "chorus-test-key";
  public static final String SECRET_KEY = "chorus-test-secret-0123456789abcdef";

  private final S3Proxy proxy;
  private final RecordingStore store;
  private final BlobStoreContext context;

  private S3TestServer(S3Proxy proxy, RecordingStore store, BlobStoreContext context) {
    this.proxy = proxy;
    this.store = store;
    this.context = context;
  }

  /** Starts the server on a free loopback port. */
  public static S3TestServer start() throws Exception {
    BlobStoreContext context = ContextBuilder.newBuilder("transient").credentials("unused", "unused")
        .overrides(new Properties()).build(BlobStoreContext.class);
    RecordingStore store = new RecordingStore(context.getBlobStore());
    S3Proxy proxy = S3Proxy.builder()
        .blobStore(store)
        .endpoint(URI.create("http://127.0.0.1:0"))
        .awsAuthentication(AuthenticationType.AWS_V4, ACCESS_KEY, SECRET_KEY)
        .build();
    proxy.start();
    while (!"STARTED".equals(proxy.getState())) {
      Thread.sleep(10);
    }
    return new S3TestServer(proxy, store, context);
  }

  /** {@code http://127.0.0.1:<port>}: the endpoint, addressed path-style. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + proxy.getPort());
  }

  public void createBucket(String name) {
    context.getBlobStore().createContainerInLocation(null, name);
  }

  /** The valid credentials. */
  public static AwsCredentialsProvider credentials() {
    return StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY));
  }

  /** Access to the endpoint with the valid credentials. */
  public S3Access access() {
    return S3Access.builder().endpoint(endpoint()).credentials(credentials()).build();
  }

  /** Denies every request on {@code bucket} from now on (403). */
  public void denyAll(String bucket) {
    store.denied.add(bucket);
  }

  /** Object writes received: single-part PUTs, multipart uploads started and parts uploaded. */
  public int writes() {
    return store.puts.get() + store.multipartUploads.get() + store.parts.get();
  }

  /** The keys of the objects written (single PUT or multipart upload started), in order. */
  public List<String> writtenKeys() {
    return List.copyOf(store.keys);
  }

  public int multipartUploads() {
    return store.multipartUploads.get();
  }

  public int parts() {
    return store.parts.get();
  }

  /** Stores an object directly (not through the S3 API, not counted as a write). */
  public void put(String bucket, String key, byte[] bytes) {
    BlobStore blobs = context.getBlobStore();
    blobs.putBlob(bucket, blobs.blobBuilder(key).payload(bytes).contentLength(bytes.length).build());
  }

  /** The object's Content-Type as stored. */
  public String contentType(String bucket, String key) {
    return context.getBlobStore().blobMetadata(bucket, key).getContentMetadata().getContentType();
  }

  /** The object's Cache-Control as stored. */
  public String cacheControl(String bucket, String key) {
    return context.getBlobStore().blobMetadata(bucket, key).getContentMetadata().getCacheControl();
  }

  /** The object's user metadata as stored. */
  public Map<String, String> userMetadata(String bucket, String key) {
    return context.getBlobStore().blobMetadata(bucket, key).getUserMetadata();
  }

  /** The object's bytes as stored. */
  public byte[] read(String bucket, String key) throws IOException {
    Blob blob = context.getBlobStore().getBlob(bucket, key);
    if (blob == null) {
      throw new IOException("no object " + bucket + "/" + key);
    }
    try (InputStream in = blob.getPayload().openStream()) {
      return in.readAllBytes();
    }
  }

  @Override
  public void close() {
    try {
      proxy.stop();
    } catch (Exception e) {
      throw new IllegalStateException("S3Proxy did not stop", e);
    } finally {
      context.close();
    }
  }

  private static final class RecordingStore extends ForwardingBlobStore {
    final AtomicInteger puts = new AtomicInteger();
    final AtomicInteger multipartUploads = new AtomicInteger();
    final AtomicInteger parts = new AtomicInteger();
    final Set<String> denied = ConcurrentHashMap.newKeySet();
    final List<String> keys = new CopyOnWriteArrayList<>();

    RecordingStore(BlobStore delegate) {
      super(delegate);
    }

    private void check(String bucket) {
      if (denied.contains(bucket)) {
        throw new HttpResponseException("denied by the bucket policy", null,
            HttpResponse.builder().statusCode(403).message("Forbidden").build());
      }
    }

    @Override
    public boolean containerExists(String container) {
      check(container);
      return super.containerExists(container);
    }

    @Override
    public String putBlob(String container, Blob blob) {
      return putBlob(container, blob, PutOptions.NONE);
    }

    @Override
    public String putBlob(String container, Blob blob, PutOptions options) {
      check(container);
      puts.incrementAndGet();
      keys.add(blob.getMetadata().getName());
      return super.putBlob(container, blob, options);
    }

    @Override
    public BlobMetadata blobMetadata(String container, String name) {
      check(container);
      return super.blobMetadata(container, name);
    }

    @Override
    public Blob getBlob(String container, String name) {
      check(container);
      return super.getBlob(container, name);
    }

    @Override
    public Blob getBlob(String container, String name, GetOptions options) {
      check(container);
      return super.getBlob(container, name, options);
    }

    @Override
    public MultipartUpload initiateMultipartUpload(String container, BlobMetadata metadata, PutOptions options) {
      check(container);
      multipartUploads.incrementAndGet();
      keys.add(metadata.getName());
      return super.initiateMultipartUpload(container, metadata, options);
    }

    @Override
    public MultipartPart uploadMultipartPart(MultipartUpload upload, int number, Payload payload) {
      check(upload.containerName());
      parts.incrementAndGet();
      return super.uploadMultipartPart(upload, number, payload);
    }
  }
}
