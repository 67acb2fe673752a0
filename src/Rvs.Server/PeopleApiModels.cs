namespace Rvs.Server;

/// <summary>
/// One person in a listing. Title is its name, or "unnamed person #id"; CoverFaceId is a face to show for it
/// (ThumbnailUrl is that face's thumbnail); Url is the person's page of faces.
/// </summary>
public sealed record ApiPerson(long Id, string? Name, string Title, int FaceCount, int PhotoCount, long CoverFaceId, string ThumbnailUrl, string Url);

/// <summary>A page of persons, most faces first: Total persons in all, this page from Offset, at most Limit.</summary>
public sealed record PeoplePageResponse(int Total, int Offset, int Limit, IReadOnlyList<ApiPerson> Persons);

/// <summary>One face of a person; Fixed is true when the user put it there (re-clustering keeps it).</summary>
public sealed record ApiPersonFace(long FaceId, long ImageId, string FileName, float[] Box, bool Fixed, string ThumbnailUrl, string ImageUrl);

/// <summary>A person with a page of its faces (FaceCount in all).</summary>
public sealed record PersonResponse(long Id, string? Name, string Title, int FaceCount, int Offset, int Limit, IReadOnlyList<ApiPersonFace> Faces);

/// <summary>
/// The hits of a result list that show one person: the person's size in the whole collection, its best hit
/// (rank, face, distance, verdict) and every face id of it among the hits.
/// </summary>
public sealed record ApiPersonGroup(long Id, string? Name, string Title, int FaceCount, int BestRank, long BestFaceId, float BestDistance,
    string? BestVerdict, IReadOnlyList<long> FaceIds, string ThumbnailUrl, string Url);

/// <summary>Body of POST /api/people/{id}/name: the name (empty or null clears it).</summary>
public sealed record NameRequest(string? Name);

/// <summary>Body of POST /api/people/{id}/merge: the person merged into this one.</summary>
public sealed record MergeRequest(long? Other);

/// <summary>Body of POST /api/people/{id}/split: the faces moved out into a new person.</summary>
public sealed record SplitRequest(IReadOnlyList<long>? FaceIds);
