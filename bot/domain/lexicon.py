"""Word lists the grader needs besides the rubric: negation, glue words, distinct terms."""

from __future__ import annotations


def _words(text: str) -> list[str]:
    return text.split()


# Words that deny what is next to them, in the same clause. Folding drops apostrophes:
# "don't" reads "dont".
NEGATION_CUES: tuple[str, ...] = tuple(
    _words(
        """
        不 没 没有 无 非 别 未 并非 无法 无需 毫无 勿 莫 甭 否 唔 冇
        不通过 不了解 不上线 不上报 不上传 不出现 不下发
        not no never cannot cant dont doesnt didnt isnt arent wasnt werent wont wouldnt
        shouldnt couldnt hasnt havent hadnt neednt aint without neither nor none nothing
        nobody nowhere
        """
    )
)

# Cantonese: 唔 is 不 and 冇 is 没有.
# Words that contain a cue but deny nothing ("不同" is "different", "无论" is "whatever"), and
# conditions that state a need ("如果没有 CNI 插件，跨节点就不通" says the plugin is needed), and
# A-not-A questions that hedge a claim ("是不是因为 kube-proxy 写了规则").
NOT_NEGATIONS: tuple[str, ...] = tuple(
    _words(
        """
        不同 不断 不仅 不只 不光 不管 不论 不少 不错 不得不 不停 不久 不然
        要不 差不多 不一样 不外乎 不过 不但 不单 了不起 不可或缺 必不可少
        无论 无状态 无关 无非 无外乎 无感知 非常 非要 非得 除非 并非只 没错
        别的 别人 区别 分别 类别 级别 识别 告别 特别 个别 未来 否则 是否 能否
        可否 与否 如果没有 要是没有 假如没有 若没有 如果不 要是不 假如不 若不 不然的话
        没问题 没毛病 没事 是不是 有没有 能不能 会不会 要不要 可不可以 对不对
        行不行 用不用 需不需要 是不是就
        不下来 不上来 不起来 不出来 不进来 不进去 不出去 不上去 不过来 不过去 不下去 不回来
        不来 不了 不上 不到 不通
        notonly notjust nomatter nodoubt nothingbut noproblem notbad
        """
    )
)

# and potential complements (V不C), which say that something fails: "调度不上", "拉不下来",
# "起不来", "连不上", "启动不了", "找不到", "网络不通". Their denials stay cues: "不了解",
# "不上线", "不通过".
# Words that end the reach of a negation: "不是 A，而是 B", "not A but B".
CLAUSE_BREAKS: tuple[str, ...] = tuple(
    _words(
        """
        但 但是 可是 然而 而是 不过 只是 而 反而 所以 因此 于是
        but however whereas instead though although so because since while then
        """
    )
)

# Words after which a negation no longer reaches, without starting a new clause: a condition
# and its consequence ("副本不够就创建 Pod", "失败就重启容器", "不做过滤，然后启动容器").
NEGATION_STOPS: tuple[str, ...] = tuple(_words("就 才 则 然后 随后 接着 so then"))
# Marks that order an alias's terms: `[A, ->, B]` says A comes before B.
ORDER_MARKS = frozenset(("->", "→", "=>", ">"))
# Words of order (folded): a term made only of them, between others, orders the alias
# (`[init, 然后|then, 主容器]`).
ORDER_WORDS = frozenset(
    _words("然后 接着 随后 之后 之后再 完了再 再 后 再到 才 then afterwards next followed")
)
# Words that hold a stop but are none: "就是" is "is", "规则" is "rule".
NOT_STOPS: tuple[str, ...] = tuple(
    _words("就是 规则 否则 原则 准则 法则 细则 总则 刚才 人才 方才 才是")
)

# Function words and common verbs: a sentence with them says something; a run of terms
# without them is a bare list.
GLUE_CJK = frozenset(
    "的是在会就把了都有到给用让被从对和与或再先也还要能可才只去来它他其这那个里上时如因所以"
    "然便即每各并且而又将向往于为着过吧呢啊吗嘛么靠走做管拿建删打跑连发读写看查找改加开放"
    "转推拉收跟当若按"
    # Cantonese: 嘅 is 的, 佢 它, 咗 了, 喺 在, 啲 些 (係 folds to 系, as in 系统: not glue).
    "嘅佢咗喺啲咁噉"
)
# Glue characters that are function words: inside a term ("每个节点", "只读") they relate
# nothing, while a verb inside a short term still says something ("创建", "没有节点").
FUNCTION_GLUE = frozenset("的了都每各个只它他其这那吧呢啊吗嘛么")
# Verbs of duty make a statement of the terms after them, as 是 does: "负责故障检测、自动扩展、
# 滚动更新" says what something does.
DUTY_VERBS: tuple[str, ...] = tuple(_words("负责 用于 用来 handles handle responsiblefor"))
# Words made of glue characters that only join list items: not glue.
LIST_JOINERS: tuple[str, ...] = tuple(_words("还有 以及 等等 之类 或者 还是 什么的 这些 那些"))
# Glue that makes a statement by itself: "X 是 Y", "X 会 Y", "it is".
STRONG_GLUE = frozenset("是会把被让靠就要能") | frozenset(
    _words("is are was were does do can will must means")
)

GLUE_LATIN = frozenset(
    _words(
        """
    a an the is are was were be been being am it its it's this that these those there here
    to of in on at for by with from via through into onto over under out up down off
    and or then so if when while because since as than but also only just each every all
    any some both either which who whom whose what where how why
    has have had do does did can could will would should may might must shall
    i you he she we they me him her us them my your our their
    runs run uses use used goes go gets get sends send makes make keeps keep takes take
    handles handle responsible
    calls call talks talk reads read writes write watches sees see changes change
    creates create deletes delete puts put picks pick tells tell asks ask gives give
    means mean works work stays stay lets let comes come becomes become needs need
    one another other else more less most least same
    """
    )
)

# Distinct Kubernetes and ops terms: a word that is exactly one of these is never read as a
# typo of another (kubelet is not kubectl, egress is not ingress).
PROTECTED = frozenset(
    _words(
        """
    kubectl kubelet kubeadm kubeproxy kubedns kubernetes k8s k3s kind minikube
    apiserver kubeapiserver scheduler controller controllers manager controllermanager
    etcd etcdctl coredns dns cni csi cri containerd docker dockerd runc crio podman
    pod pods node nodes service services svc deployment deployments replicaset replicasets
    statefulset daemonset job jobs cronjob cronjobs namespace namespaces configmap secret
    secrets volume volumes pv pvc storageclass ingress egress gateway route routes router
    routing httproute grpcroute networkpolicy policy policies endpoint endpoints
    endpointslice endpointslices clusterip nodeport loadbalancer externalname headless
    hostport hostnetwork label labels selector selectors annotation annotations taint taints
    toleration tolerations affinity antiaffinity probe probes liveness readiness startup
    hpa vpa autoscaler autoscaling rbac role roles rolebinding clusterrole serviceaccount
    token tokens cert certs certificate tls https http grpc tcp udp ip ipv4 ipv6 vip
    iptables ip6tables ipvs nftables ebpf bpf netfilter conntrack snat dnat nat masquerade
    vxlan ipip bgp overlay underlay bridge veth flannel calico cilium weave canal terway
    multus envoy istio linkerd nginx haproxy traefik kong keepalived f5 slb elb alb nlb clb
    lb cidr podcidr subnet subnets vpc mtu arp mac l2 l3 l4 l7 layer
    watch list get create update patch delete apply informer reflector lister indexer
    deltafifo workqueue resourceversion lease leader election leaderelection
    helm kustomize operator crd crds webhook admission mutating validating
    cpu memory limit limits request requests quota qos oom oomkilled evict eviction
    cordon drain uncordon rollout rollback rolling replica replicas
    prometheus grafana metrics logs exec attach portforward proxy cloud provider
    providerid aws gcp gke eks aks ack azure openstack vsphere
    """
    )
)
